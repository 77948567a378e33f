namespace Nbdmux.Application.Common.Interfaces;

/// <summary>Fetches, unpacks and lands the images of warmed exports, a few at a time, in the background.</summary>
public interface IWarmer
{
    /// <summary>Where a warm of the export lands its raw image: <c>&lt;first image root&gt;/&lt;name&gt;.img</c>.</summary>
    string TargetPath(string name);

    /// <summary>Starts the export's queued warm when a worker is free; called once the queued record is committed.</summary>
    void Enqueue(string name);

    /// <summary>Stops the export's running warm, if any; its partial files are removed as it ends. Does not wait.</summary>
    void Cancel(string name);
}
