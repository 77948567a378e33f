namespace Nbdmux.IntegrationTests.NbdkitPlugin;

/// <summary>A bound on every client call, so that a hung negotiation fails the test instead of the run.</summary>
public static class TestTimeout
{
    public static CancellationToken Token => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
