package media

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/herd-social/herd/storage"
)

// SniffLen is how many leading bytes Sniff looks at.
const SniffLen = 512

// Format is a file type recognised from content.
type Format struct {
	// MIME is the sniffed MIME type (such as "image/jpeg").
	MIME string
	// Kind is the kind of media the file becomes: image, video (which
	// may turn out to be gifv or audio once probed) or audio;
	// MediaUnknown for types Herd does not process.
	Kind storage.MediaType
	// Demuxer is the ffmpeg demuxer that must read the file (passed with
	// -f, so that ffmpeg never probes for playlists or other formats).
	Demuxer string
}

// Supported reports whether Herd processes files of this format.
func (f Format) Supported() bool { return f.Kind != storage.MediaUnknown }

// Sniff recognises a file from its first bytes (up to SniffLen are used):
// magic numbers for JPEG, PNG, GIF, WebP, ISO media (MP4, MOV, M4A, and
// AVIF/HEIC, which are recognised but not supported), Matroska/WebM, Ogg,
// MP3, AAC, FLAC and WAV, and http.DetectContentType for anything else. It
// never looks at a file name.
func Sniff(head []byte) Format {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	b := head
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return Format{MIME: "image/jpeg", Kind: storage.MediaImage}
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return Format{MIME: "image/png", Kind: storage.MediaImage}
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return Format{MIME: "image/gif", Kind: storage.MediaImage, Demuxer: "gif"}
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return Format{MIME: "image/webp", Kind: storage.MediaImage}
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return Format{MIME: "audio/wav", Kind: storage.MediaAudio, Demuxer: "wav"}
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return sniffISO(b)
	case bytes.HasPrefix(b, []byte("\x1a\x45\xdf\xa3")):
		if bytes.Contains(b, []byte("webm")) {
			return Format{MIME: "video/webm", Kind: storage.MediaVideo, Demuxer: "matroska"}
		}
		return Format{MIME: "video/x-matroska", Kind: storage.MediaVideo, Demuxer: "matroska"}
	case bytes.HasPrefix(b, []byte("OggS")):
		if bytes.Contains(b, []byte("\x80theora")) || bytes.Contains(b, []byte("\x80kate")) {
			return Format{MIME: "video/ogg", Kind: storage.MediaVideo, Demuxer: "ogg"}
		}
		return Format{MIME: "audio/ogg", Kind: storage.MediaAudio, Demuxer: "ogg"}
	case bytes.HasPrefix(b, []byte("fLaC")):
		return Format{MIME: "audio/flac", Kind: storage.MediaAudio, Demuxer: "flac"}
	case bytes.HasPrefix(b, []byte("ID3")):
		return Format{MIME: "audio/mpeg", Kind: storage.MediaAudio, Demuxer: "mp3"}
	case len(b) >= 4 && b[0] == 0xff && b[1]&0xf6 == 0xf0 && b[2]>>2&0xf != 0xf:
		// ADTS: 12-bit sync, layer 00; a valid sampling frequency index.
		return Format{MIME: "audio/aac", Kind: storage.MediaAudio, Demuxer: "aac"}
	case len(b) >= 4 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]&0x06 != 0 && b[1]&0x18 != 0x08 &&
		b[2]>>4 != 0xf && b[2]>>4 != 0 && b[2]&0x0c != 0x0c:
		// An MPEG audio frame header: sync, a valid version, layer,
		// bitrate and sampling rate.
		return Format{MIME: "audio/mpeg", Kind: storage.MediaAudio, Demuxer: "mp3"}
	}
	ct, _, _ := strings.Cut(http.DetectContentType(b), ";")
	return Format{MIME: ct, Kind: storage.MediaUnknown}
}

func sniffISO(b []byte) Format {
	brand := string(b[8:12])
	switch brand {
	case "avif", "avis":
		return Format{MIME: "image/avif", Kind: storage.MediaUnknown}
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
		return Format{MIME: "image/heic", Kind: storage.MediaUnknown}
	case "M4A ", "M4B ", "M4P ", "F4A ":
		return Format{MIME: "audio/mp4", Kind: storage.MediaAudio, Demuxer: "mov"}
	case "qt  ":
		return Format{MIME: "video/quicktime", Kind: storage.MediaVideo, Demuxer: "mov"}
	case "crx ", "jp2 ", "jpx ", "jpm ", "mjp2", "mj2s":
		return Format{MIME: "application/octet-stream", Kind: storage.MediaUnknown}
	}
	return Format{MIME: "video/mp4", Kind: storage.MediaVideo, Demuxer: "mov"}
}
