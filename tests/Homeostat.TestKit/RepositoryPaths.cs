namespace Homeostat.TestKit;

/// <summary>Files of this repository that tests read (the corpus, examples).</summary>
public static class RepositoryPaths
{
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(Path.Combine(directory.FullName, "Homeostat.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }

    public static string File(params string[] parts) => Path.Combine([Root(), .. parts]);
}
