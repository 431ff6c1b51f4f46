package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Tools names the ffmpeg and ffprobe executables.
type Tools struct {
	FFmpeg, FFprobe string
}

// FindTools looks ffmpeg and ffprobe up in PATH.
func FindTools() (Tools, error) {
	var t Tools
	var errs []error
	var err error
	if t.FFmpeg, err = exec.LookPath("ffmpeg"); err != nil {
		errs = append(errs, err)
	}
	if t.FFprobe, err = exec.LookPath("ffprobe"); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return t, fmt.Errorf("%w: %v (install the ffmpeg package)", ErrToolsMissing, errors.Join(errs...))
	}
	return t, nil
}

// CheckTools checks that ffmpeg and ffprobe are in PATH and that ffmpeg can
// encode H.264 (libx264) and AAC, as video and audio processing need. Its
// error is meant for a startup warning: without the tools, images still
// work and video or audio uploads fail with ErrToolsMissing.
func CheckTools(ctx context.Context) error {
	t, err := FindTools()
	if err != nil {
		return err
	}
	return t.check(ctx)
}

func (t Tools) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := run(ctx, t.FFmpeg, 1<<20, "-hide_banner", "-encoders")
	if err != nil {
		return fmt.Errorf("%w: %s -encoders: %v", ErrToolsMissing, t.FFmpeg, err)
	}
	for _, enc := range []string{" libx264 ", " aac "} {
		if !bytes.Contains(out, []byte(enc)) {
			return fmt.Errorf("%w: %s cannot encode with%s(install a full ffmpeg build)", ErrToolsMissing, t.FFmpeg, enc)
		}
	}
	return nil
}

// run runs a command (never through a shell) and returns its standard
// output, up to maxOut bytes; its error carries the end of standard error.
func run(ctx context.Context, name string, maxOut int64, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 5 * time.Second
	var stdout limitedBuffer
	stdout.max = maxOut
	var stderr limitedBuffer
	stderr.max = 8 << 10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = nil
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(name), ctx.Err())
	}
	if stdout.over {
		return nil, fmt.Errorf("%w: %s wrote more than %d bytes", ErrTooLarge, filepath.Base(name), maxOut)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 && len(msg)-i < 200 {
			msg = msg[i+1:]
		}
		if len(msg) > 300 {
			msg = msg[len(msg)-300:]
		}
		return nil, fmt.Errorf("%s: %v: %s", filepath.Base(name), err, msg)
	}
	return stdout.Bytes(), nil
}

type limitedBuffer struct {
	bytes.Buffer
	max  int64
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if int64(l.Len()+len(p)) > l.max {
		l.over = true
		return 0, errors.New("output limit reached")
	}
	return l.Buffer.Write(p)
}

// probeResult is the part of ffprobe's JSON Herd reads.
type probeResult struct {
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		BitRate    string `json:"bit_rate"`
	} `json:"format"`
	Streams []probeStream `json:"streams"`
}

type probeStream struct {
	CodecType    string `json:"codec_type"`
	CodecName    string `json:"codec_name"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	RFrameRate   string `json:"r_frame_rate"`
	AvgFrameRate string `json:"avg_frame_rate"`
	Duration     string `json:"duration"`
	BitRate      string `json:"bit_rate"`
	SampleRate   string `json:"sample_rate"`
	Channels     int    `json:"channels"`
	Disposition  struct {
		AttachedPic int `json:"attached_pic"`
	} `json:"disposition"`
}

func (p *probeResult) video() *probeStream {
	for i := range p.Streams {
		s := &p.Streams[i]
		if s.CodecType == "video" && s.Disposition.AttachedPic == 0 {
			return s
		}
	}
	return nil
}

func (p *probeResult) audio() *probeStream {
	for i := range p.Streams {
		if p.Streams[i].CodecType == "audio" {
			return &p.Streams[i]
		}
	}
	return nil
}

func (p *probeResult) duration() float64 {
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
		return 0
	}
	return d
}

// frameRate parses "30000/1001".
func frameRate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	num, err1 := strconv.ParseFloat(n, 64)
	if !ok {
		if err1 != nil {
			return 0
		}
		return num
	}
	den, err2 := strconv.ParseFloat(d, 64)
	if err1 != nil || err2 != nil || den == 0 || math.IsNaN(num/den) || math.IsInf(num/den, 0) {
		return 0
	}
	return num / den
}

// inputArgs are the arguments that make ffmpeg/ffprobe read path with the
// given demuxer only, from the local file only.
func inputArgs(demuxer, path string) []string {
	args := []string{"-protocol_whitelist", "file"}
	if demuxer != "" {
		args = append(args, "-f", demuxer)
	}
	return append(args, "-i", "file:"+path)
}

func (t Tools) probe(ctx context.Context, demuxer, path string) (*probeResult, error) {
	args := append([]string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams"}, inputArgs(demuxer, path)...)
	out, err := run(ctx, t.FFprobe, 4<<20, args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	var p probeResult
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("%w: ffprobe output: %v", ErrCorrupt, err)
	}
	return &p, nil
}

// avJob processes one video, animated GIF or audio file on disk.
type avJob struct {
	tools   Tools
	limits  Limits
	threads int
	tempDir string
}

func (j avJob) process(ctx context.Context, f Format, in string) (res *Result, err error) {
	l := j.limits
	p, err := j.tools.probe(ctx, f.Demuxer, in)
	if err != nil {
		return nil, err
	}
	v, a := p.video(), p.audio()
	if f.MIME == "image/gif" {
		a = nil
	}
	if v == nil && a == nil {
		return nil, fmt.Errorf("%w: no video or audio stream", ErrCorrupt)
	}
	dur := p.duration()
	if time.Duration(dur*float64(time.Second)) > l.MaxDuration {
		return nil, fmt.Errorf("%w: %s long, the limit is %s", ErrTooLarge, time.Duration(dur*float64(time.Second)).Round(time.Second), l.MaxDuration)
	}
	typ := storage.MediaAudio
	if v != nil {
		if v.Width <= 0 || v.Height <= 0 {
			return nil, fmt.Errorf("%w: video of %dx%d pixels", ErrCorrupt, v.Width, v.Height)
		}
		if int64(v.Width)*int64(v.Height) > l.VideoMatrixLimit {
			return nil, fmt.Errorf("%w: video of %dx%d pixels, the limit is %d", ErrTooLarge, v.Width, v.Height, l.VideoMatrixLimit)
		}
		if fps := frameRate(v.AvgFrameRate); fps > float64(l.VideoFrameRateLimit) && f.MIME != "image/gif" {
			return nil, fmt.Errorf("%w: %.0f frames per second, the limit is %d", ErrTooLarge, fps, l.VideoFrameRateLimit)
		}
		typ = storage.MediaVideo
		if a == nil && (f.MIME == "image/gif" || time.Duration(dur*float64(time.Second)) <= l.GIFVMaxDuration) {
			typ = storage.MediaGIFV
		}
	}

	res = &Result{Type: typ}
	defer func() {
		if err != nil {
			_ = res.Close()
			res = nil
		}
	}()
	out, err := os.CreateTemp(j.tempDir, "herd-media-out-*")
	if err != nil {
		return nil, fmt.Errorf("media: temporary file: %w", err)
	}
	_ = out.Close()
	res.temp = append(res.temp, out.Name())

	args := []string{"-nostdin", "-hide_banner", "-v", "error", "-y", "-threads", strconv.Itoa(j.threads)}
	args = append(args, inputArgs(f.Demuxer, in)...)
	args = append(args, "-t", strconv.FormatFloat(l.MaxDuration.Seconds(), 'f', 0, 64),
		"-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn")
	box := strconv.Itoa(l.OriginalSize)
	if v != nil {
		// Fit within the box, even dimensions, 4:2:0 (what every player
		// decodes).
		scale := "scale=w=if(gte(iw\\,ih)\\,trunc(min(" + box + "\\,iw)/2)*2\\,-2):h=if(gte(iw\\,ih)\\,-2\\,trunc(min(" + box + "\\,ih)/2)*2),format=yuv420p"
		args = append(args, "-map", "0:v:0", "-vf", scale,
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high", "-pix_fmt", "yuv420p")
		if typ == storage.MediaVideo && a != nil {
			args = append(args, "-map", "0:a:0", "-c:a", "aac", "-b:a", "128k", "-ac", "2")
		} else {
			args = append(args, "-an")
		}
		res.Original.ContentType, res.Original.Ext = "video/mp4", ".mp4"
	} else {
		args = append(args, "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "160k", "-ac", "2")
		res.Original.ContentType, res.Original.Ext = "audio/mp4", ".m4a"
	}
	args = append(args, "-movflags", "+faststart", "-f", "mp4", "file:"+out.Name())
	if _, err := run(ctx, j.tools.FFmpeg, 1<<20, args...); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: processing took too long: %v", ErrTooLarge, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	res.Original.Path = out.Name()
	st, err := os.Stat(out.Name())
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	res.Original.Size = st.Size()

	// Describe what was written.
	op, err := j.tools.probe(ctx, "mp4", out.Name())
	if err != nil {
		return nil, err
	}
	odur := op.duration()
	res.Meta.Duration = round(odur, 100)
	res.Meta.Length = length(odur)
	orig := &storage.MediaSize{Duration: res.Meta.Duration}
	orig.Bitrate, _ = strconv.ParseInt(op.Format.BitRate, 10, 64)
	if ov := op.video(); ov != nil {
		res.Original.Width, res.Original.Height = ov.Width, ov.Height
		s := sizeMeta(ov.Width, ov.Height)
		orig.Width, orig.Height, orig.Size, orig.Aspect = s.Width, s.Height, s.Size, s.Aspect
		orig.FrameRate = ov.AvgFrameRate
		res.Meta.FPS = int(math.Round(frameRate(ov.AvgFrameRate)))
	}
	if oa := op.audio(); oa != nil {
		res.Meta.AudioEncode = oa.CodecName
		if oa.SampleRate != "" {
			res.Meta.AudioBitrate = oa.SampleRate + " Hz"
		}
		switch oa.Channels {
		case 1:
			res.Meta.AudioChannels = "mono"
		case 2:
			res.Meta.AudioChannels = "stereo"
		}
	}
	res.Meta.Original = orig

	if v != nil {
		// The poster: the first frame, as PNG through a pipe, then the
		// image pipeline for the preview and blurhash.
		frame, err := run(ctx, j.tools.FFmpeg, 64<<20, "-nostdin", "-hide_banner", "-v", "error",
			"-protocol_whitelist", "file,pipe", "-f", "mp4", "-i", "file:"+out.Name(),
			"-frames:v", "1", "-an", "-f", "image2pipe", "-c:v", "png", "pipe:1")
		if err != nil {
			return nil, fmt.Errorf("%w: poster frame: %v", ErrCorrupt, err)
		}
		img, err := png.Decode(bytes.NewReader(frame))
		if err != nil {
			return nil, fmt.Errorf("%w: poster frame: %v", ErrCorrupt, err)
		}
		b := img.Bounds()
		pw, ph := fit(b.Dx(), b.Dy(), l.PreviewSize)
		prev := scale(img, pw, ph)
		pv, err := encode(prev, true)
		if err != nil {
			return nil, err
		}
		res.Preview = &pv
		res.Blurhash = blurhashOf(prev)
		res.Meta.Small = sizeMeta(pw, ph)
	}
	return res, nil
}

// length renders seconds as H:MM:SS.ss.
func length(sec float64) string {
	h := int(sec) / 3600
	m := int(sec) / 60 % 60
	s := sec - float64(h*3600+m*60)
	return fmt.Sprintf("%d:%02d:%05.2f", h, m, s)
}
