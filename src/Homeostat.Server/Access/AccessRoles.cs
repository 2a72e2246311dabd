namespace Homeostat.Server.Access;

/// <summary>What a token may do. Each role is a fixed set of rights; no role is implied by another's name.</summary>
public enum AccessRole
{
    /// <summary>Reads incidents, the audit trail, the catalog, suspensions and approvals.</summary>
    Viewer,

    /// <summary>Posts signals (<c>/api/v1/signals</c>, <c>/api/v1/alertmanager</c>) and nothing else.</summary>
    Ingest,

    /// <summary>Reads, and approves, rejects, resolves, promotes, resumes and labels.</summary>
    Operator,

    /// <summary>Everything.</summary>
    Admin,
}

/// <summary>What an endpoint needs.</summary>
public enum AccessRight
{
    Read,
    Ingest,
    Operate,
}

public static class AccessRoles
{
    public static readonly IReadOnlyList<AccessRole> All = Enum.GetValues<AccessRole>();

    public static string ToWord(this AccessRole role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out AccessRole role)
    {
        role = default;
        var match = All.FirstOrDefault(r => string.Equals(r.ToWord(), text?.Trim(), StringComparison.OrdinalIgnoreCase), (AccessRole)(-1));
        if ((int)match < 0)
        {
            return false;
        }

        role = match;
        return true;
    }

    public static bool Grants(this AccessRole role, AccessRight right) => role switch
    {
        AccessRole.Admin => true,
        AccessRole.Operator => right is AccessRight.Read or AccessRight.Operate,
        AccessRole.Viewer => right is AccessRight.Read,
        AccessRole.Ingest => right is AccessRight.Ingest,
        _ => false,
    };

    /// <summary>The roles that grant <paramref name="right"/>, as a problem document names them: "operator or admin".</summary>
    public static string RolesGranting(AccessRight right)
    {
        var roles = All.Where(r => r.Grants(right)).Select(r => r.ToWord()).ToList();
        return roles.Count == 1 ? roles[0] : string.Join(", ", roles.Take(roles.Count - 1)) + " or " + roles[^1];
    }
}
