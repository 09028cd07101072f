using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Hailuo.Transport;

/// <summary>
/// Rate and in-flight limits shared by every client in the process, keyed by provider, account and
/// scope: two pipelines in one session must not each believe they own the whole budget. Never removed: process-wide
/// state, docs/architecture.md.
/// </summary>
internal static class SharedLimits
{
    private static readonly ConcurrentDictionary<string, RequestWindowLimiter> RateLimiters = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, JobSlots> InFlight = new(StringComparer.Ordinal);

    public static RequestWindowLimiter? Rate(string key, RateLimit? limit) =>
        limit is null ? null : RateLimiters.GetOrAdd($"{key}|{limit.Permits}|{limit.Window.Ticks}", _ => new RequestWindowLimiter(limit));

    /// <summary>The account's jobs in flight: one count, whatever limit each submit brings.</summary>
    public static JobSlots JobsInFlight(string key) => InFlight.GetOrAdd(key, _ => new JobSlots());
}

/// <summary>
/// The jobs of one account that were submitted and are not yet final. Each submit brings its own limit (New-HailuoVideo
/// -ThrottleLimit, the connection's setting, or the provider's default) and waits, oldest first, while the account has
/// that many in flight: pipelines with different limits still count the same jobs.
/// </summary>
internal sealed class JobSlots
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private int _inFlight;

    /// <summary>Jobs holding a slot.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Submits waiting for a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>A slot, once fewer than <paramref name="limit"/> jobs are in flight; disposing the lease frees it.</summary>
    public Task<IDisposable> AcquireAsync(int limit, CancellationToken cancellationToken)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A limit on jobs in flight is at least 1.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            // Whoever still waits has a limit the jobs in flight already reach (a release grants every other), so this
            // overtakes no one who could go.
            if (_inFlight < limit)
            {
                _inFlight++;
                return Task.FromResult<IDisposable>(new Lease(this));
            }
            waiter = new Waiter(limit);
            waiter.Node = _waiting.AddLast(waiter);
        }
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(() => Abandon(waiter, cancellationToken));
        }
        return waiter.Granted.Task;
    }

    private void Abandon(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return; // already granted
            }
            _waiting.Remove(waiter.Node);
        }
        waiter.Granted.TrySetCanceled(cancellationToken);
    }

    private void Release()
    {
        List<Waiter>? granted = null;
        lock (_gate)
        {
            _inFlight--;
            for (var node = _waiting.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Limit > _inFlight)
                {
                    _waiting.Remove(node);
                    _inFlight++;
                    (granted ??= new List<Waiter>()).Add(node.Value);
                }
                node = next;
            }
        }
        foreach (var waiter in granted ?? (IEnumerable<Waiter>)Array.Empty<Waiter>())
        {
            waiter.Registration.Dispose();
            waiter.Granted.TrySetResult(new Lease(this));
        }
    }

    private sealed class Waiter
    {
        public Waiter(int limit)
        {
            Limit = limit;
        }

        public int Limit { get; }

        public LinkedListNode<Waiter>? Node;
        public CancellationTokenRegistration Registration;
        public readonly TaskCompletionSource<IDisposable> Granted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lease : IDisposable
    {
        private JobSlots? _owner;

        public Lease(JobSlots owner)
        {
            _owner = owner;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release();
    }
}
