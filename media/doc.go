// Package media stores and processes the media files of posts, avatars and
// headers: pictures, GIFs shown as looping video, video and audio.
//
// The parts, each usable alone:
//
//   - Blobs is the storage of files under keys, with a filesystem backend
//     (NewFS, the default) and an S3-compatible one (NewS3); package
//     blobstest is the conformance suite every backend passes. Handler
//     serves blobs over HTTP with their stored type, byte ranges and
//     headers that keep browsers from sniffing or running them.
//   - Sniff recognises a file from its content (never its name).
//     DecodeImage and ProcessImage decode JPEG, PNG, GIF and WebP within
//     Limits (checking declared dimensions before decoding, against
//     decompression bombs), apply EXIF orientation, strip all metadata by
//     re-encoding, and produce a resized original, a preview and a
//     blurhash.
//   - Processor adds bounded concurrency and, through ffmpeg/ffprobe (run
//     without a shell, with a forced demuxer, a file-only protocol list,
//     time and size limits), turns animated GIFs and short silent videos
//     into looping MP4 (gifv), video into H.264/AAC MP4 with a poster
//     frame, and audio into AAC in MP4 (.m4a). CheckTools reports missing
//     tools at startup; such uploads then fail with ErrToolsMissing.
//   - Service ties a Processor, Blobs and storage.MediaAttachments
//     together: Upload stores the raw file under TempPrefix, records the
//     attachment as processing and processes it in the background
//     (waiting briefly for images, as Mastodon's POST /api/v2/media does);
//     ExpireUnattached and Prune sweep unattached uploads and cached
//     remote files.
//
// Bad input fails with ErrUnsupported, ErrTooLarge or ErrCorrupt (the
// Mastodon API answers 422) and leaves no files behind. Limits.Instance
// gives what /api/v2/instance advertises.
package media
