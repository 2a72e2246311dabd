namespace Homeostat.Cli.Tests;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the homeostat command in-process, as a user would type it, capturing what it prints.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await HomeostatCli.RunAsync(args, output, error, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<(int Code, string Output, string Error)> RunProcessAsync(params string[] args) =>
        RunProcessAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs the real executable in a process of its own, without the API token of the test's environment.</summary>
    public static async Task<(int Code, string Output, string Error)> RunProcessAsync(Dictionary<string, string> environment, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [typeof(HomeostatCli).Assembly.Location, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("HOMEOSTAT_API_TOKEN");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"homeostat {string.Join(' ', args)} did not exit within 60s");
        }

        return (process.ExitCode, await output, await error);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Homeostat.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "homeostat-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
