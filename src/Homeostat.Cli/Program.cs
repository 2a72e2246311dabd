using Homeostat.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await HomeostatCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
