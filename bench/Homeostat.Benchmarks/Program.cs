using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Homeostat.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Homeostat.Benchmarks.ClassificationBenchmarks).Assembly).Run(args);
