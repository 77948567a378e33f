namespace Nbdmux.Api.Dashboard;

/// <summary>Where the NBD server listens, as the dashboard shows it to operators.</summary>
public sealed record NbdListener(int Port, string Bind);
