using System.Net;
using Nbdmux.Infrastructure.DataPlane;

namespace Nbdmux.UnitTests.Infrastructure.DataPlane;

/// <summary>Answers as a server would that serves what <see cref="Answer"/> says; counts what it was asked.</summary>
public sealed class FakeProbe : INbdProbe
{
    public IPEndPoint Endpoint { get; } = new(IPAddress.Loopback, 10809);

    /// <summary>By export name. Unknown names are answered Unknown, as a running server does.</summary>
    public Func<string, ProbeOutcome> Answer { get; set; } = _ => ProbeOutcome.Unknown;

    public List<string> Asked { get; } = [];

    public Task<ProbeResult> NegotiateAsync(string exportName, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        lock (Asked)
        {
            Asked.Add(exportName);
        }

        return Task.FromResult(new ProbeResult(Answer(exportName)));
    }
}
