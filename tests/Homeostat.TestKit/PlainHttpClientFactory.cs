namespace Homeostat.TestKit;

/// <summary>An <see cref="IHttpClientFactory"/> handing out plain clients without their own timeout (the code under test sets one).</summary>
public sealed class PlainHttpClientFactory : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new() { Timeout = Timeout.InfiniteTimeSpan };
}
