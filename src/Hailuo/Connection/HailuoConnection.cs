using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using Hailuo.Credentials;
using Hailuo.Ledger;
using Hailuo.Models;
using Hailuo.Providers;
using Hailuo.Pipeline;

namespace Hailuo.Connection;

/// <summary>
/// What Connect-Hailuo makes, one per PowerShell runspace: the settings (provider, base URI), the key, and one
/// <see cref="HailuoClient"/> per provider, used by every cmdlet of that runspace. Runspaces never see each other's
/// connection. Behind the clients, every client of the same account in the process, whichever runspace made it, shares
/// one <see cref="SharedAccount"/> (transport and rate limits, tracker, ledger, jobs in flight). The PowerShell layer
/// finds a runspace's connection through src/Hailuo.PowerShell/Common/RunspaceConnection.cs; tests and the reliability
/// suite make their own. Process-wide state: docs/architecture.md.
/// </summary>
public sealed class HailuoConnection : IDisposable
{
    // Process-wide (docs/architecture.md): each scope's connection, dropped with its scope.
    private static readonly ConditionalWeakTable<object, HailuoConnection> Scoped = new();

    private readonly object _gate = new();
    private readonly Action<HailuoClientOptions>? _configureClient;
    private readonly Dictionary<HailuoProvider, HailuoClient> _clients = new();
    private ConnectionSettings? _settings;
    private HailuoCredential? _credential;
    private JobLedger? _listingLedger;

    /// <summary>
    /// The connection of <paramref name="scope"/> (the PowerShell layer passes the runspace), made on first use;
    /// <paramref name="created"/> runs once for a new one, so the caller can close it when the scope ends.
    /// </summary>
    public static HailuoConnection For(object scope, Action<HailuoConnection>? created = null)
    {
        lock (Scoped)
        {
            if (!Scoped.TryGetValue(scope, out var connection))
            {
                connection = new HailuoConnection();
                Scoped.Add(scope, connection);
                created?.Invoke(connection);
            }
            return connection;
        }
    }

    /// <param name="environment">Where credentials come from when not connected with a key; null is the environment variables.</param>
    /// <param name="configureClient">Tunes the options of each client the connection makes (its ledger, its times), after the connection's settings.</param>
    public HailuoConnection(ICredentialSource? environment = null, Action<HailuoClientOptions>? configureClient = null)
    {
        Environment = environment ?? new EnvironmentCredentialSource();
        _configureClient = configureClient;
    }

    /// <summary>Where credentials come from when not connected with a key.</summary>
    public ICredentialSource Environment { get; }

    /// <summary>The settings in force: those of Connect-Hailuo, else the persisted ones, else the defaults.</summary>
    public ConnectionSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return SettingsLocked();
            }
        }
    }

    public bool IsConnected
    {
        get
        {
            lock (_gate)
            {
                return _credential is not null;
            }
        }
    }

    /// <summary>The connected key's account fingerprint and source, or null.</summary>
    public HailuoCredential? Credential
    {
        get
        {
            lock (_gate)
            {
                return _credential;
            }
        }
    }

    /// <summary>Connects: replaces the clients so the next request uses the new settings and key.</summary>
    public void Connect(ConnectionSettings settings, HailuoCredential? credential)
    {
        lock (_gate)
        {
            CloseClientsLocked();
            _settings = settings;
            _credential = credential;
        }
    }

    public void Disconnect()
    {
        lock (_gate)
        {
            CloseClientsLocked();
            // Read again on next use: the saved settings (if any remain) or the defaults.
            _settings = null;
            _credential = null;
        }
    }

    /// <summary>
    /// The client for a provider (the connected one when null). The connected key serves the connected
    /// provider; other providers take their key from the environment.
    /// </summary>
    public HailuoClient GetClient(HailuoProvider? provider = null)
    {
        lock (_gate)
        {
            var settings = SettingsLocked();
            var which = provider ?? settings.Provider;
            if (_clients.TryGetValue(which, out var existing))
            {
                return existing;
            }
            if (which == settings.Provider && settings.CredentialOrigin == CredentialOrigin.ApiKey && _credential is null)
            {
                // A key given directly is never saved: the settings came from another session, their key did not.
                throw new HailuoException(new HailuoError(HailuoErrorKind.Authentication,
                    $"This session holds no key for {NameOf(which)}: the saved connection took its key directly, and such keys are never saved.",
                    remedy: HailuoRemedy.ConnectFirst));
            }
            var options = new HailuoClientOptions(which)
            {
                Credentials = which == settings.Provider && _credential is not null
                    ? new StaticCredentialSource(_credential)
                    : Environment,
                CloudflareAccountId = settings.CloudflareAccountId ?? (Environment as EnvironmentCredentialSource)?.CloudflareAccountId,
                MiniMaxMainland = settings.MiniMaxMainland,
                Log = EngineLog.Write,
            };
            if (which == settings.Provider && settings.ThrottleLimit is { } throttle)
            {
                options.MaxJobsInFlight = throttle;
            }
            if (which == settings.Provider && settings.BaseUri is not null)
            {
                // The emulator's pace, if this is the emulator, comes with its answers (EmulatedTime): nothing is asked here.
                options.BaseUri = settings.BaseUri;
            }
            _configureClient?.Invoke(options);
            var client = new HailuoClient(options);
            _clients[which] = client;
            return client;
        }
    }

    /// <summary>
    /// The ledger, for listing past jobs: the connected client's when there is one; else the ledger file itself,
    /// opened without a key, since listing reads nothing from the provider. Null when there is no ledger yet.
    /// </summary>
    public JobLedger? Ledger
    {
        get
        {
            lock (_gate)
            {
                var settings = SettingsLocked();
                if (_clients.TryGetValue(settings.Provider, out var client))
                {
                    return client.Ledger;
                }
                if (_listingLedger is null)
                {
                    var options = new HailuoClientOptions(settings.Provider);
                    _configureClient?.Invoke(options);
                    var path = options.LedgerPath ?? JobLedger.DefaultPath();
                    // Opening a ledger creates its file: a listing must not leave one behind.
                    _listingLedger = options.UseLedger && System.IO.File.Exists(path) ? new JobLedger(path) : null;
                }
                return _listingLedger;
            }
        }
    }

    /// <summary>How messages name a provider (<see cref="ProviderProfile.DisplayName"/>).</summary>
    public static string NameOf(HailuoProvider provider) => ProviderProfiles.For(provider).DisplayName;

    /// <summary>Parses a provider name as users write it; a clear error otherwise.</summary>
    public static HailuoProvider ParseProvider(string text)
    {
        // Spaces and dots are ignored: "core.today", "CoreToday" and "Workers AI" all count.
        static string Bare(string name) => name.Trim().Replace(".", "").Replace(" ", "");
        var t = Bare(text);
        if (Enum.TryParse<HailuoProvider>(t, true, out var provider) && Enum.IsDefined(typeof(HailuoProvider), provider))
        {
            return provider;
        }
        foreach (var profile in ProviderProfiles.All)
        {
            foreach (var name in profile.OtherNames.Prepend(profile.DisplayName))
            {
                if (t.Equals(Bare(name), StringComparison.OrdinalIgnoreCase))
                {
                    return profile.Provider;
                }
            }
        }
        throw new HailuoException(new HailuoError(HailuoErrorKind.Validation,
            $"'{text}' is not a provider. Use one of: {string.Join(", ", ProviderProfiles.All.Select(p => p.Name))}.", "Provider"));
    }

    /// <summary>The settings in force, read from the saved file on first use after a (dis)connect; under <see cref="_gate"/>.</summary>
    private ConnectionSettings SettingsLocked() => _settings ??= ConnectionStore.Load() ?? new ConnectionSettings();

    private void CloseClientsLocked()
    {
        _listingLedger?.Dispose();
        _listingLedger = null;
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        _clients.Clear();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseClientsLocked();
        }
    }

    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0} via {1}", NameOf(Settings.Provider), _credential?.ToString() ?? "environment");
}
