using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using SgNotifier.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSgNotifierWorker(builder.Configuration, builder.Environment.EnvironmentName);
builder.Build().Run();
