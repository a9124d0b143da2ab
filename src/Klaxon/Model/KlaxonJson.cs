using System.Text.Json;
using System.Text.Json.Serialization;

namespace Klaxon.Model;

/// <summary>The one JSON form of Klaxon's documents and answers: camelCase, nulls omitted.</summary>
public static class KlaxonJson
{
    /// <summary>For reading stored documents and answers from a server: unknown properties are ignored.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
