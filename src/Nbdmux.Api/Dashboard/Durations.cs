namespace Nbdmux.Api.Dashboard;

public static class Durations
{
    /// <summary>Two units at most (3 d 4 h, 5 min), so the text changes at most once a minute.</summary>
    public static string Describe(TimeSpan duration) => duration switch
    {
        { TotalMinutes: < 1 } => "under a minute",
        { TotalHours: < 1 } => $"{duration.Minutes} min",
        { TotalDays: < 1 } => $"{duration.Hours} h {duration.Minutes} min",
        _ => $"{(int)duration.TotalDays} d {duration.Hours} h",
    };
}
