using Nbdmux.Api.Controllers;
using Nbdmux.Application.Audit;
using Nbdmux.Application.Audit.GetAuditEvents;

namespace Nbdmux.Api.Dashboard;

/// <summary>One page of the audit log on the dashboard, with the filters that chose it.</summary>
public sealed record AuditLogPage(AuditEventPage Events, GetAuditEventsQuery Filter, string? Error)
{
    public bool HasNewer => Filter.Page > 1;

    public bool HasOlder => (long)Filter.Page * Filter.PageSize < Events.Total;

    /// <summary>The same filters on another page.</summary>
    public string PageLink(int page)
    {
        var query = new Dictionary<string, string?>
        {
            ["export"] = Filter.Export,
            ["action"] = Filter.Action,
            ["outcome"] = Filter.Outcome,
            ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
            AuditDashboardController.Path, query.Where(pair => !string.IsNullOrEmpty(pair.Value)));
    }
}
