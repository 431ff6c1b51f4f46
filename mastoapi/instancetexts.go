package mastoapi

import (
	"html"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/microcosm-cc/bluemonday"
)

// instanceTexts holds the instance's texts rendered once.
type instanceTexts struct {
	once                     sync.Once
	extended, privacy, terms string
	extendedAt, privacyAt    time.Time
	termsDate                time.Time
}

// textHTML renders a configured text as sanitized HTML: plain text (no
// '<') becomes paragraphs split at blank lines, with line breaks kept.
func textHTML(p *bluemonday.Policy, s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return ""
	}
	if strings.Contains(s, "<") {
		return p.Sanitize(s)
	}
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>\n")
	}
	return b.String()
}

func (a *API) instanceTexts() *instanceTexts {
	t := &a.texts
	t.once.Do(func() {
		p := bluemonday.UGCPolicy()
		in := a.info
		now := a.now().UTC()
		t.extended, t.privacy, t.terms = textHTML(p, in.ExtendedDescription), textHTML(p, in.PrivacyPolicy), textHTML(p, in.TermsOfService)
		t.extendedAt, t.privacyAt, t.termsDate = in.ExtendedDescriptionUpdatedAt, in.PrivacyPolicyUpdatedAt, in.TermsOfServiceDate
		for _, at := range []*time.Time{&t.extendedAt, &t.privacyAt, &t.termsDate} {
			if at.IsZero() {
				*at = now
			}
		}
		y, m, d := t.termsDate.UTC().Date()
		t.termsDate = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	})
	return t
}

// ExtendedDescription is the Mastodon ExtendedDescription entity.
type ExtendedDescription struct {
	UpdatedAt Time   `json:"updated_at"`
	Content   string `json:"content"`
}

// PrivacyPolicy is the Mastodon PrivacyPolicy entity.
type PrivacyPolicy struct {
	UpdatedAt Time   `json:"updated_at"`
	Content   string `json:"content"`
}

// TermsOfService is the Mastodon TermsOfService entity.
type TermsOfService struct {
	EffectiveDate Date   `json:"effective_date"`
	Effective     bool   `json:"effective"`
	Content       string `json:"content"`
	SucceededBy   *Date  `json:"succeeded_by"`
}

// extendedDescription serves GET /api/v1/instance/extended_description:
// empty content when none is configured, as Mastodon.
func (a *API) extendedDescription(w http.ResponseWriter, r *http.Request) error {
	t := a.instanceTexts()
	WriteJSON(w, http.StatusOK, ExtendedDescription{UpdatedAt: Time(t.extendedAt), Content: t.extended})
	return nil
}

// privacyPolicy serves GET /api/v1/instance/privacy_policy; 404 when none
// is configured (Mastodon serves a default text there).
func (a *API) privacyPolicy(w http.ResponseWriter, r *http.Request) error {
	t := a.instanceTexts()
	if t.privacy == "" {
		return ErrRecordNotFound
	}
	WriteJSON(w, http.StatusOK, PrivacyPolicy{UpdatedAt: Time(t.privacyAt), Content: t.privacy})
	return nil
}

// termsOfService serves GET /api/v1/instance/terms_of_service and
// /terms_of_service/{date}: the one configured version, in effect; 404 when
// none is configured or date (YYYY-MM-DD) is not its effective date, as
// Mastodon.
func (a *API) termsOfService(w http.ResponseWriter, r *http.Request) error {
	t := a.instanceTexts()
	if t.terms == "" {
		return ErrRecordNotFound
	}
	if d, ok := mux.Vars(r)["date"]; ok && d != t.termsDate.Format(time.DateOnly) {
		return ErrRecordNotFound
	}
	WriteJSON(w, http.StatusOK, TermsOfService{EffectiveDate: Date(t.termsDate), Effective: !t.termsDate.After(a.now()), Content: t.terms})
	return nil
}
