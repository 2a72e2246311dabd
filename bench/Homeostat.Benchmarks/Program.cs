Console.WriteLine("benchmarks: run with -c Release");
