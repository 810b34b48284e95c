package history

import (
	"slices"
	"testing"
	"time"
)

func TestPolicyExpired(t *testing.T) {
	const day = 24 * time.Hour
	now := t0.Add(100 * day)
	// v is a kept version written d+1 days before now and displaced d days
	// before now.
	v := func(etag string, d float64) Version {
		at := now.Add(-time.Duration(d * float64(day)))
		return Version{Name: "f", Key: "k-" + etag, ETag: etag, Written: at.Add(-day), Displaced: at, Cause: Replaced}
	}
	tests := []struct {
		name     string
		policy   Policy
		versions []Version
		want     []string
	}{
		{"off keeps nothing to prune", Policy{}, []Version{v("a", 90)}, nil},
		{"keep 30d", Policy{Keep: 30 * day}, []Version{v("c", 10), v("a", 40), v("b", 35)}, []string{"a", "b"}},
		{"exactly keep is kept", Policy{Keep: 30 * day}, []Version{v("a", 30), v("b", 30.001)}, []string{"b"}},
		{"newest 2 of any age", Policy{Versions: 2}, []Version{v("a", 5), v("b", 4), v("c", 3), v("d", 2), v("e", 1)}, []string{"a", "b", "c"}},
		{"outside both", Policy{Keep: 30 * day, Versions: 2}, []Version{v("a", 90), v("b", 80), v("c", 70), v("d", 60)}, []string{"a", "b"}},
		{"recent ones beyond the newest N stay", Policy{Keep: 30 * day, Versions: 1}, []Version{v("a", 90), v("b", 20), v("c", 10)}, []string{"a"}},
		{"nothing while an older version stays", Policy{Keep: 30 * day}, []Version{
			{Name: "f", Key: "k-a", ETag: "a", Written: now.Add(-90 * day), Displaced: now.Add(-1 * day), Cause: Replaced}, // displaced late by another device
			v("b", 60)}, nil},
		{"current objects are ignored", Policy{Versions: 1}, []Version{{Name: "f", Key: "f", ETag: "cur", Written: now}, v("a", 2), v("b", 1)}, []string{"a"}},
		{"a copy made on writing goes once its displacement kept it", Policy{Keep: 30 * day}, []Version{
			{Name: "f", Key: "k-w", ETag: "a", Written: now.Add(-2 * day), Displaced: now.Add(-2 * day), Cause: JustWritten},
			v("a", 1), v("b", 0.5)}, []string{"a"}},
		{"a copy made on writing stays while it is the only one", Policy{Keep: 30 * day}, []Version{
			{Name: "f", Key: "k-w", ETag: "c", Written: now.Add(-2 * day), Displaced: now.Add(-2 * day), Cause: JustWritten},
			v("a", 1)}, nil},
		{"deleted versions expire like the others", Policy{Keep: 30 * day}, []Version{
			{Name: "f", Key: "k-d", ETag: "d", Written: now.Add(-50 * day), Displaced: now.Add(-40 * day), Cause: Deleted}}, []string{"d"}},
	}
	for _, tc := range tests {
		var got []string
		for _, e := range tc.policy.Expired(tc.versions, now) {
			got = append(got, e.ETag)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: expired %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPolicyString(t *testing.T) {
	for p, want := range map[Policy]string{
		{}:                             "off",
		{Keep: 720 * time.Hour}:        "keep 30d",
		{Versions: 3}:                  "keep the newest 3 versions",
		{Keep: time.Hour, Versions: 2}: "keep 1h0m0s and the newest 2 versions",
	} {
		if got := p.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", p, got, want)
		}
	}
}
