namespace Nbdmux.Cli;

/// <summary>The tables of the list commands: a header, then one row per record, each column as wide as its widest cell, two spaces apart.</summary>
public static class AlignedTable
{
    /// <param name="output">Where the lines go.</param>
    /// <param name="header">The column names.</param>
    /// <param name="rows">The cells of each row, one per column.</param>
    /// <param name="rightAligned">Columns whose cells (not the header) are right-aligned, as sizes are.</param>
    public static void Write(TextWriter output, string[] header, IEnumerable<string[]> rows, params int[] rightAligned)
    {
        var lines = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(column => lines.Max(row => row[column].Length)).ToArray();
        foreach (var row in lines)
        {
            var cells = row.Select((cell, column) => rightAligned.Contains(column) && row != header ? cell.PadLeft(widths[column]) : cell.PadRight(widths[column]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
