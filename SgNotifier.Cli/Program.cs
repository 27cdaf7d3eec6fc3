using SgNotifier.Cli;

return await SgNotifierCommands.Build().Parse(args).InvokeAsync();
