using Nbdmux.Application.Exports;

namespace Nbdmux.Api.Dashboard;

/// <summary>Where targets connect: the host the browser used (it reached nbdmux, so a target likely can too) and the NBD port.</summary>
public sealed record NbdEndpoint(string Host, int Port, string Bind)
{
    public static NbdEndpoint For(HttpRequest request, int nbdPort, string bind) =>
        new(request.Host.Host.Trim('[', ']'), nbdPort, bind);

    public TargetAddress Target => new(Host, Port);
}
