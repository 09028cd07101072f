using Hailuo.Emulator;

EmulatorOptions options;
try
{
    options = EmulatorOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"hailuo-emulator: {e.Message}");
    return 2;
}

await using var server = await EmulatorServer.StartAsync(options, quiet: false);
// Tests and scripts read this line to learn the port when started with :0.
Console.WriteLine($"Hailuo emulator listening on {server.BaseUrl}");
Console.WriteLine($"time scale {options.TimeScale}, faults: {(string.IsNullOrWhiteSpace(options.Faults) ? "none" : options.Faults)}, " +
    $"keys: {(options.ApiKey is null ? "any non-empty key" : "only the one given with --api-key")}");
await server.WaitForShutdownAsync();
return 0;
