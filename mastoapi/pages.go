package mastoapi

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageCSS styles the HTML pages; it is inlined and allowed by its hash in the
// Content-Security-Policy, so the pages load nothing from anywhere.
const pageCSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328}
main{max-width:26rem;margin:3rem auto;padding:1.5rem 1.75rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:.2rem 0 1rem}.server{margin:0;color:#59636e;font-size:.9rem}
label{display:block;margin:.9rem 0 .3rem;font-weight:600}label.check{font-weight:400}
input[type=email],input[type=password],input[type=text],input:not([type]),textarea{width:100%;padding:.55rem .7rem;border:1px solid #c5cad1;border-radius:8px;font:inherit}
button{margin-top:1.2rem;margin-right:.5rem;padding:.6rem 1.2rem;border:0;border-radius:8px;background:#563acc;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#e4e7eb;color:#1f2328}.error{padding:.6rem .8rem;border-radius:8px;background:#fde8e8;color:#8c1d18}
.small{font-size:.85rem;color:#59636e}.scopes{padding-left:1.2rem}input.code{font-family:ui-monospace,monospace;font-size:1.05rem}
@media (prefers-color-scheme:dark){body{background:#17181c;color:#e6e8eb}main{background:#24262b}input,textarea{background:#17181c;color:#e6e8eb;border-color:#3d4148}button.secondary{background:#3d4148;color:#e6e8eb}.server,.small{color:#9ba3ad}}`

var pageCSP = func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"
}()

func parsePages() *template.Template {
	return template.Must(template.New("pages").ParseFS(templateFS, "templates/*.html"))
}

// hiddenField is a form field carried through a page.
type hiddenField struct{ Name, Value string }

// scopeText is a scope and its description on the consent page.
type scopeText struct{ Name, Text string }

// pageData is what every page template reads.
type pageData struct {
	Lang, Title, Server, Error string
	CSS                        template.CSS
	CSRF                       string
	Hidden                     []hiddenField
	Action                     string
	// Page-specific values.
	App, Acct, Email, Code, Message, SignUpURL string
	Username, Reason                           string
	Scopes                                     []scopeText
	Rules                                      []Rule
	Closed, Approval                           bool
}

// renderPage writes an HTML page with the restrictive security headers.
func (a *API) renderPage(w http.ResponseWriter, status int, name string, d *pageData) error {
	d.CSS = template.CSS(pageCSS)
	d.Server = a.info.Title
	if d.Lang == "" {
		d.Lang = "en"
	}
	var buf bytes.Buffer
	if err := a.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// CSRF protection: a random token in a cookie that every form must echo
// (double submit), plus an Origin check when the browser sends one.
const (
	csrfCookie = "herd_csrf"
	csrfField  = "authenticity_token"
)

// csrfToken returns the request's CSRF token, setting the cookie when new.
func (a *API) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	tok := newSecret()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: a.urls.Scheme() == "https", SameSite: http.SameSiteLaxMode})
	return tok
}

// checkCSRF verifies a form submission.
func (a *API) checkCSRF(r *http.Request, p *Params) bool {
	if o := r.Header.Get("Origin"); o != "" && o != a.urls.Base() {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(p.String(csrfField))) == 1
}
