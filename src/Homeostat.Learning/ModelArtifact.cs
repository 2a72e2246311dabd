using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Homeostat.Diagnosis;
using Homeostat.Primitives;
using Microsoft.ML;

namespace Homeostat.Learning;

/// <summary>What training produced, besides the ML.NET model: the classes it knows, its calibration, and how it was made.</summary>
public sealed record ModelMetadata(
    IReadOnlyList<string> Classes,
    ConfidenceCalibration Calibration,
    int Seed,
    int Examples,
    string TrainingDataHash,
    string TrainedWith);

/// <summary>
/// The model file: an ML.NET model zip with one extra entry, <c>homeostat/metadata.json</c>, so a model and its
/// calibration always travel together.
/// </summary>
public sealed class ModelArtifact(MLContext context, ITransformer model, DataViewSchema schema, ModelMetadata metadata)
{
    public const string MetadataEntry = "homeostat/metadata.json";
    public const string EmbeddedResourceName = "Homeostat.Learning.homeostat-classifier.zip";

    public MLContext Context { get; } = context;

    public ITransformer Model { get; } = model;

    public DataViewSchema Schema { get; } = schema;

    public ModelMetadata Metadata { get; } = metadata;

    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using (var stream = File.Create(path))
        {
            Context.Model.Save(Model, Schema, stream);
        }

        using var archive = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = archive.CreateEntry(MetadataEntry, CompressionLevel.Optimal);
        using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
        writer.Write(JsonSerializer.Serialize(Metadata, HomeostatJson.Indented));
    }

    public static ModelArtifact Load(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        ModelMetadata metadata;
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true))
        {
            var entry = archive.GetEntry(MetadataEntry) ?? throw new InvalidDataException($"the model file has no {MetadataEntry}: it was not written by homeostat train");
            using var reader = new StreamReader(entry.Open());
            metadata = JsonSerializer.Deserialize<ModelMetadata>(reader.ReadToEnd(), HomeostatJson.Options)
                ?? throw new InvalidDataException("the model's metadata is empty");
        }

        buffer.Position = 0;
        var context = new MLContext(seed: metadata.Seed);
        var model = context.Model.Load(buffer, out var schema);
        return new ModelArtifact(context, model, schema, metadata);
    }

    public static ModelArtifact LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    /// <summary>The model shipped inside this assembly, trained on the repository's corpus.</summary>
    public static ModelArtifact LoadEmbedded()
    {
        using var stream = typeof(ModelArtifact).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException("the built-in model is missing from the assembly; run homeostat train");
        return Load(stream);
    }
}
