namespace Nbdmux.BrowserTests;

/// <summary>A generator that rewrites a committed file: it runs only when <c>variable</c> is 1.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OnRequestFactAttribute : FactAttribute
{
    public OnRequestFactAttribute(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) != "1")
        {
            Skip = $"regenerates a committed file; run with {variable}=1";
        }
    }
}
