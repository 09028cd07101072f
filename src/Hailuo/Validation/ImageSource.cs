using System;
using System.Buffers;
using System.Buffers.Text;
using System.IO;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Hailuo.Models;

namespace Hailuo.Validation;

/// <summary>Turns a local first-frame image into what the providers accept, and into the ledger's input hash.</summary>
public static class ImageSource
{
    /// <summary>The largest image every provider accepts: 20 MB.</summary>
    public const int MaxImageBytes = 20 * 1024 * 1024;

    // A multiple of 3, so each full chunk encodes to whole base64 quads with nothing carried over.
    private const int ChunkSize = 3 * 16 * 1024;

    /// <summary>
    /// Reads a local JPEG, PNG or WebP into a <c>data:image/...;base64,</c> URI, typed by its content. The file is
    /// encoded chunk by chunk into one buffer of the final size, so it is never held whole beside its encoding.
    /// </summary>
    public static async Task<string> ToDataUriAsync(string path, CancellationToken cancellationToken)
    {
        using var file = OpenRead(path, useAsync: true);
        var fullPath = file.Name;
        if (file.Length > MaxImageBytes)
        {
            throw Refuse(RequestValidator.TooLargeMessage(RequestValidator.FileSubject(fullPath), file.Length));
        }
        var buffer = new byte[ChunkSize];
        var filled = await StreamReads.ReadUpToAsync(file, buffer, cancellationToken).ConfigureAwait(false);
        var mediaType = ImageProbe.DetectMediaType(buffer.AsSpan(0, filled))
            ?? throw Refuse(RequestValidator.NotAnImageMessage(RequestValidator.FileSubject(fullPath)));

        var prefix = $"data:{mediaType};base64,";
        var output = new byte[prefix.Length + Base64.GetMaxEncodedToUtf8Length((int)file.Length)];
        var written = Encoding.ASCII.GetBytes(prefix, 0, prefix.Length, output, 0);
        while (true)
        {
            // Every read but the last fills the buffer, so only the last block may need padding.
            var isFinal = filled < buffer.Length;
            if (Base64.EncodeToUtf8(buffer.AsSpan(0, filled), output.AsSpan(written), out _, out var produced, isFinal) != OperationStatus.Done)
            {
                throw ChangedWhileReading(fullPath);
            }
            written += produced;
            if (isFinal)
            {
                break;
            }
            filled = await StreamReads.ReadUpToAsync(file, buffer, cancellationToken).ConfigureAwait(false);
        }
        if (written != output.Length)
        {
            throw ChangedWhileReading(fullPath);
        }
        return Encoding.ASCII.GetString(output);
    }

    /// <summary>The lowercase hex SHA-256 of the file's content, so that the ledger sees a changed image as a new input.</summary>
    public static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        using var file = OpenRead(path, useAsync: true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        int read;
        while ((read = await file.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }
        return Hex.Lower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Opens a local image for reading, or throws a <see cref="HailuoErrorKind.Validation"/> error that names the
    /// full path and says why it cannot be used.
    /// </summary>
    internal static FileStream OpenRead(string path, bool useAsync)
    {
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException or SecurityException)
        {
            throw Refuse($"{RequestValidator.FileSubject(path)} is not a valid file path ({ex.Message}); give the path of a JPG, PNG or WebP file, an https URL or a data URI.", ex);
        }
        if (Directory.Exists(fullPath))
        {
            throw Refuse($"{RequestValidator.FileSubject(fullPath)} is a folder, not a file; give the path of a JPG, PNG or WebP image inside it.");
        }
        if (!File.Exists(fullPath))
        {
            throw Refuse($"{RequestValidator.FileSubject(fullPath)} does not exist; check the path, or give an https URL or a data URI instead.");
        }
        // Named pipes and devices (/dev/zero) report no length, and opening a pipe waits for a writer that may never come.
        if (new FileInfo(fullPath).Length == 0)
        {
            throw Refuse($"{RequestValidator.FileSubject(fullPath)} is empty (0 bytes), or is not a regular file but a pipe or a device; give the path of a JPG, PNG or WebP image.");
        }
        try
        {
            return new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, useAsync);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or SecurityException)
        {
            throw Refuse($"{RequestValidator.FileSubject(fullPath)} cannot be read: access is denied. Give your account read permission on it, or copy it somewhere readable.", ex);
        }
        catch (IOException ex)
        {
            throw Refuse($"{RequestValidator.FileSubject(fullPath)} cannot be read: {ex.Message} Close any program that locks it, or copy it and use the copy.", ex);
        }
    }

    private static HailuoException Refuse(string message, Exception? inner = null) =>
        new(new HailuoError(HailuoErrorKind.Validation, message, code: nameof(VideoRequest.FirstFrameImage)), inner);

    private static HailuoException ChangedWhileReading(string fullPath) =>
        Refuse($"{RequestValidator.FileSubject(fullPath)} changed size while it was being read; wait until it is completely written, then submit again.");
}
