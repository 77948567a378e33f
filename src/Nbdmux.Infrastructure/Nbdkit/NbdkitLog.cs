using System.Text;

namespace Nbdmux.Infrastructure.Nbdkit;

/// <summary>
/// nbdkit's stdout and stderr, appended to a file: nbdkit outlives the nbdmux that started it,
/// so it cannot hold nbdmux's own output (whoever reads that, a pipe in tests or journald,
/// would wait on it for as long as nbdkit runs, and an adopted nbdkit would go on writing to
/// the previous nbdmux's stream). nbdmux reads what is new from here, to log it as its own.
/// </summary>
public sealed class NbdkitLog(NbdkitLayout layout)
{
    /// <summary>Past this, the file is emptied once everything in it has been read; also the most read at once.</summary>
    private const int TruncateAfterBytes = 1024 * 1024;

    private long _readUpTo;

    /// <summary>Skips what is in the file now: an earlier nbdmux read it.</summary>
    public void SkipToEnd() => _readUpTo = Length();

    /// <summary>The complete lines written since the last call, made printable (<see cref="PrintableLine"/>).</summary>
    public IReadOnlyList<string> ReadNewLines()
    {
        if (Length() <= _readUpTo)
        {
            return [];
        }

        string text;
        using (var file = new FileStream(layout.LogPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            file.Position = _readUpTo;
            var buffer = new byte[Math.Min(file.Length - _readUpTo, TruncateAfterBytes)];
            var length = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            var complete = Array.LastIndexOf(buffer, (byte)'\n', length - 1) + 1;
            if (complete == 0 && length == TruncateAfterBytes)
            {
                complete = length; // a line longer than any nbdkit writes: taken as it is
            }

            text = Encoding.UTF8.GetString(buffer, 0, complete);
            _readUpTo += complete;

            // nbdkit appends (O_APPEND), so after truncation its next line lands at the start.
            // A line written between the length check and the truncation is lost: a price for a
            // file that never grows without bound under an nbdkit that runs for months.
            if (_readUpTo >= TruncateAfterBytes && file.Length == _readUpTo)
            {
                file.SetLength(0);
                _readUpTo = 0;
            }
        }

        return text.Split('\n').Select(line => PrintableLine.Of(line)).Where(line => line.Length > 0).ToList();
    }

    private long Length() => new FileInfo(layout.LogPath) is { Exists: true } file ? file.Length : 0;
}
