namespace Homeostat.Primitives;

/// <summary>Fully qualified DNS names as actions accept them: lower case, at least two labels, no wildcard.</summary>
public static class DnsNames
{
    public static bool IsValid(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        var labels = name.Split('.');
        return labels.Length >= 2 && labels.All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'));
    }
}
