namespace Homeostat.Kubernetes;

/// <summary>Marks the Kubernetes adapter assembly.</summary>
public static class KubernetesAssembly;
