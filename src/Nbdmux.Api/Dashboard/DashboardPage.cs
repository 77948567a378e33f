namespace Nbdmux.Api.Dashboard;

public sealed record DashboardPage(DashboardLive Live, AddExportForm Form, string? Notice, string? Error)
{
    public bool PasswordRequired => Live.PasswordRequired;
}
