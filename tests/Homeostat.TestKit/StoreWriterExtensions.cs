using Homeostat.Healing;

namespace Homeostat.TestKit;

/// <summary>For tests that put an incident into a state the way a crashed or concurrent worker would have left it.</summary>
public static class StoreWriterExtensions
{
    /// <summary>Saves <paramref name="next"/> over <paramref name="current"/> with no audit record; false when the version moved.</summary>
    public static async Task<bool> ForceAsync(this IStoreWriter writer, Incident current, Incident next)
    {
        try
        {
            await writer.SaveAsync(new Transition(current, next, []), CancellationToken.None);
            return true;
        }
        catch (IncidentVersionConflictException)
        {
            return false;
        }
    }

    /// <summary>Inserts a new incident with no audit record.</summary>
    public static Task<long> InsertAsync(this IStoreWriter writer, Incident incident) =>
        writer.SaveAsync(new Transition(null, incident, []), CancellationToken.None);
}
