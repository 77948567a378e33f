using Nbdmux.Cli;

return await NbdmuxCli.RunAsync(args, new CliConsole(Console.Out, Console.Error, Environment.GetEnvironmentVariable));
