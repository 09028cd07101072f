using System;
using System.IO;
using System.Text.Json;
using Hailuo.Models;

namespace Hailuo.Connection;

/// <summary>Reads and writes the non-secret connection settings in the per-user configuration folder.</summary>
public static class ConnectionStore
{
    public const string FileName = "connection.json";

    /// <summary>HAILUO_CONFIG_HOME, else %APPDATA%\Hailuo on Windows, else $XDG_CONFIG_HOME/hailuo or ~/.config/hailuo.</summary>
    public static string DefaultPath() => UserFolders.ConfigFile(FileName);

    public static void Save(ConnectionSettings settings, string? path = null)
    {
        path ??= DefaultPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new Stored
        {
            Provider = settings.Provider.ToString(),
            BaseUri = settings.BaseUri?.ToString(),
            CloudflareAccountId = settings.CloudflareAccountId,
            MiniMaxMainland = settings.MiniMaxMainland,
            CredentialOrigin = settings.CredentialOrigin.ToString(),
            Vault = settings.Vault,
            SecretName = settings.SecretName,
            ThrottleLimit = settings.ThrottleLimit,
        }, new JsonSerializerOptions { WriteIndented = true }));
        if (File.Exists(path))
        {
            File.Replace(temp, path, null);
        }
        else
        {
            File.Move(temp, path);
        }
    }

    /// <summary>The saved settings, or null when there are none or they cannot be read.</summary>
    public static ConnectionSettings? Load(string? path = null)
    {
        path ??= DefaultPath();
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path));
            if (stored is null || !Enum.TryParse<HailuoProvider>(stored.Provider, true, out var provider) || !Enum.IsDefined(typeof(HailuoProvider), provider))
            {
                return null;
            }
            return new ConnectionSettings
            {
                Provider = provider,
                BaseUri = Uri.TryCreate(stored.BaseUri, UriKind.Absolute, out var uri) ? uri : null,
                CloudflareAccountId = stored.CloudflareAccountId,
                MiniMaxMainland = stored.MiniMaxMainland,
                CredentialOrigin = Enum.TryParse<CredentialOrigin>(stored.CredentialOrigin, true, out var origin) ? origin : CredentialOrigin.Environment,
                Vault = stored.Vault,
                SecretName = stored.SecretName,
                ThrottleLimit = stored.ThrottleLimit is >= 1 ? stored.ThrottleLimit : null,
            };
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Delete(string? path = null)
    {
        path ??= DefaultPath();
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private sealed class Stored
    {
        public string? Provider { get; set; }
        public string? BaseUri { get; set; }
        public string? CloudflareAccountId { get; set; }
        public bool MiniMaxMainland { get; set; }
        public string? CredentialOrigin { get; set; }
        public string? Vault { get; set; }
        public string? SecretName { get; set; }
        public int? ThrottleLimit { get; set; }
    }
}
