namespace Nbdmux.Api.Dashboard;

/// <summary>
/// The dashboard's add form. Property names match <see cref="Application.Exports.RegisterExport.RegisterExportCommand"/>,
/// so each validation failure lands next to the field it is about.
/// </summary>
public sealed class AddExportForm
{
    public string? Name { get; set; }

    public string? File { get; set; }

    public bool Readonly { get; set; } = true;
}
