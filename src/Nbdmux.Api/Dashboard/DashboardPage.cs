using Nbdmux.Application.Images;

namespace Nbdmux.Api.Dashboard;

/// <param name="RemoveError">Why a removal was refused, shown atop the page.</param>
/// <param name="AddError">Why the add form's export was refused (beyond its fields), shown atop the form.</param>
/// <param name="Images">The files beneath the image roots, offered by the add form.</param>
public sealed record DashboardPage(DashboardLive Live, AddExportForm Form, string? Notice, string? RemoveError, string? AddError, ImagePage Images)
{
    public bool PasswordRequired => Live.PasswordRequired;
}
