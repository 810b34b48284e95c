package state

import (
	"strings"
	"testing"
)

// TestHotQueriesStream checks that the queries that may return very many
// rows read an index in the order asked for, instead of sorting the whole
// result first (which would cost memory or temporary files in proportion to
// it).
func TestHotQueriesStream(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		name, query string
		args        []any
		index       string
	}{
		{"Base", baseQuery, []any{"p"}, "USING PRIMARY KEY"},
		{"DueDirty", dueDirtyQuery, []any{"p", 0, -1}, "USING INDEX dirty_by_age"},
		{"Uploads", uploadsQuery, nil, "sqlite_autoindex_uploads_1"},
	}
	for _, tt := range tests {
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+tt.query, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		if strings.Contains(text, "TEMP B-TREE") || !strings.Contains(text, tt.index) {
			t.Errorf("%s: plan %q sorts, or does not use %s", tt.name, text, tt.index)
		}
	}
}
