package federation

import (
	"encoding/json"

	"github.com/herd-social/herd/storage"
)

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func jsonStrings(ss []string) json.RawMessage {
	b, _ := json.Marshal(ss)
	return b
}

func extraString(e storage.Extra, key string) string {
	var s string
	if raw, ok := e[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

func extraStrings(e storage.Extra, key string) []string {
	var ss []string
	if raw, ok := e[key]; ok {
		_ = json.Unmarshal(raw, &ss)
	}
	return ss
}
