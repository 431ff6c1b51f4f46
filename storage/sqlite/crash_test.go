package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// TestCrashLosesNoCommittedData kills a writing process with SIGKILL in the
// middle of its writes and checks that every status it reported committed
// is still there, and that the database is intact.
func TestCrashLosesNoCommittedData(t *testing.T) {
	if os.Getenv("HERD_CRASH_WRITER") != "" {
		crashWriter(os.Getenv("HERD_CRASH_WRITER"))
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLosesNoCommittedData$")
	cmd.Env = append(os.Environ(), "HERD_CRASH_WRITER="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	committed := 0
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(60 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		if n, err := strconv.Atoi(sc.Text()); err == nil {
			committed = n
			if committed >= 300 {
				break
			}
		}
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.GreaterOrEqual(t, committed, 300, "writer did not get far enough")

	s, err := sqlite.Open(context.Background(), path, nil)
	require.NoError(t, err)
	defer s.Close()
	var check string
	require.NoError(t, s.DB().Get(&check, "PRAGMA integrity_check"))
	require.Equal(t, "ok", check)
	for i := 1; i <= committed; i++ {
		_, err := s.Statuses().GetByURI(context.Background(), fmt.Sprintf("https://crash.example/s/%d", i))
		require.NoError(t, err, "status %d was reported committed", i)
	}
}

// crashWriter creates statuses one transaction at a time, printing the
// number committed after each, until it is killed.
func crashWriter(path string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := &storage.Account{Username: "crash", URI: "https://crash.example/users/crash"}
	if err := s.Accounts().Create(ctx, a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 1; ; i++ {
		st := &storage.Status{AccountID: a.ID, URI: fmt.Sprintf("https://crash.example/s/%d", i), Content: "<p>still here</p>", Local: true}
		if err := s.Statuses().Create(ctx, st); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(w, i)
		w.Flush()
	}
}
