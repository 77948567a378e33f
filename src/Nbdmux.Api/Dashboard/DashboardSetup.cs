namespace Nbdmux.Api.Dashboard;

public static class DashboardSetup
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddControllersWithViews();
        return services;
    }

    /// <summary>CSS, JS and icon from wwwroot, open to all (the login page needs them), before authorization runs.</summary>
    public static WebApplication UseDashboardAssets(this WebApplication app)
    {
        app.UseStaticFiles();
        return app;
    }
}
