using Klaxon.Cli;

// One program: `klaxon serve` runs the server, the other commands are the CLI.
return await KlaxonCommand.RunAsync(args);
