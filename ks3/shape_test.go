package ks3

import (
	"io"
	"reflect"
	"slices"
	"testing"
	"time"
)

const (
	testUploadID = "0123456789abcdef0123456789abcdef"
	s3NS         = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	ns2NS        = `xmlns:ns2="http://s3.amazonaws.com/doc/2006-03-01/"`
)

// shapeCase is one operation: what the client must send, the service's
// answer, and a check of what the client made of it.
type shapeCase struct {
	name string
	call func(t *testing.T, c *Client)

	status     int
	respHeader map[string]string
	respBody   string

	method string
	uri    string
	// header lists request headers that must have exactly this value, or
	// be absent when the value is "".
	header map[string]string
	body   string
	sts    string // expected string to sign
}

func TestRequestShapes(t *testing.T) {
	for _, tt := range shapeCases() {
		t.Run(tt.name, func(t *testing.T) {
			status := tt.status
			if status == 0 {
				status = 200
			}
			s := newTestServer(t, answer(status, tt.respHeader, tt.respBody))
			c := newTestClient(t, s)
			tt.call(t, c)
			reqs := s.requests()
			if len(reqs) != 1 {
				t.Fatalf("server got %d requests, want 1", len(reqs))
			}
			checkShape(t, tt, reqs[0], s.Listener.Addr().String())
		})
	}
}

func checkShape(t *testing.T, tt shapeCase, rec recorded, host string) {
	t.Helper()
	if rec.Method != tt.method || rec.RequestURI != tt.uri {
		t.Errorf("request line = %s %s, want %s %s", rec.Method, rec.RequestURI, tt.method, tt.uri)
	}
	if rec.Host != host {
		t.Errorf("Host = %q, want %q", rec.Host, host)
	}
	if got := rec.Header.Get("Date"); got != vecDate {
		t.Errorf("Date = %q, want %q", got, vecDate)
	}
	for name, want := range tt.header {
		got, present := rec.Header[httpCanonical(name)]
		switch {
		case want == "" && present:
			t.Errorf("header %s = %q, want none", name, got)
		case want != "" && !slices.Equal(got, []string{want}):
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if string(rec.Body) != tt.body {
		t.Errorf("body\n got %q\nwant %q", rec.Body, tt.body)
	}
	wantAuth(t, rec, tt.sts)
}

func shapeCases() []shapeCase {
	cases := objectShapeCases()
	cases = append(cases, multipartShapeCases()...)
	cases = append(cases, listShapeCases()...)
	return append(cases, bucketShapeCases()...)
}

func objectShapeCases() []shapeCase {
	return []shapeCase{
		{
			name: "HeadObject",
			call: func(t *testing.T, c *Client) {
				info, err := c.HeadObject(t.Context(), "example-bucket", "photos/cat.jpg")
				if err != nil {
					t.Fatal(err)
				}
				want := &ObjectInfo{Key: "photos/cat.jpg", Size: 1234, ETag: "0123abcd", StorageClass: "STANDARD",
					LastModified: time.Date(2019, 10, 15, 8, 0, 0, 0, time.UTC), ContentType: "image/jpeg",
					Metadata: map[string]string{"author": "alice", "color": "red"}, CacheControl: "no-cache",
					CRC64ECMA: "1234567890"}
				if !reflect.DeepEqual(info, want) {
					t.Errorf("HeadObject =\n%+v, want\n%+v", info, want)
				}
			},
			respHeader: map[string]string{"Content-Length": "1234", "ETag": `"0123abcd"`, "Content-Type": "image/jpeg",
				"Last-Modified": "Tue, 15 Oct 2019 08:00:00 GMT", "x-kss-meta-author": "alice", "X-Kss-Meta-Color": "red",
				"Cache-Control": "no-cache", "x-kss-checksum-crc64ecma": "1234567890"},
			method: "HEAD", uri: "/example-bucket/photos/cat.jpg",
			sts: "HEAD\n\n\n" + vecDate + "\n/example-bucket/photos/cat.jpg",
		},
		{
			name: "GetObject range and response override",
			call: func(t *testing.T, c *Client) {
				obj, err := c.GetObject(t.Context(), "example-bucket", "a b/中", GetOptions{Range: "bytes=0-3",
					ResponseHeaders: map[string]string{"response-content-type": "text/plain"}})
				if err != nil {
					t.Fatal(err)
				}
				defer obj.Body.Close()
				body, err := io.ReadAll(obj.Body)
				if err != nil {
					t.Fatal(err)
				}
				if string(body) != "abcd" || obj.ContentLength != 4 || obj.Size != 10 ||
					obj.ContentRange != "bytes 0-3/10" || obj.StorageClass != "STANDARD_IA" || obj.ContentType != "text/plain" {
					t.Errorf("GetObject = %+v with body %q", obj, body)
				}
			},
			status: 206,
			respHeader: map[string]string{"Content-Range": "bytes 0-3/10", "Content-Type": "text/plain",
				"ETag": "0123abcd", "x-kss-storage-class": "STANDARD_IA"},
			respBody: "abcd",
			method:   "GET", uri: "/example-bucket/a%20b/%E4%B8%AD?response-content-type=text%2Fplain",
			header: map[string]string{"Range": "bytes=0-3"},
			sts:    "GET\n\n\n" + vecDate + "\n/example-bucket/a%20b/%E4%B8%AD?response-content-type=text/plain",
		},
		{
			name: "PutObject with every option",
			call: func(t *testing.T, c *Client) {
				sum := md5Sum("hello")
				res, err := c.PutObject(t.Context(), "example-bucket", "docs/report.txt", newStringSeeker("hello"), 5, PutOptions{
					ContentType: "text/plain", ContentMD5: sum[:], Metadata: map[string]string{"Author": "alice"},
					StorageClass: "STANDARD_IA", ACL: "public-read", CallbackURL: "http://app.example/cb",
					CallbackBody: "key=${key}&uid=${kss-uid}", CallbackVars: map[string]string{"uid": "42"},
					CacheControl: "max-age=60", ContentDisposition: "inline", ContentEncoding: "identity",
				})
				if err != nil {
					t.Fatal(err)
				}
				if *res != (PutResult{ETag: "5d41402abc4b2a76b9719d911017c592", RequestID: "req-1"}) {
					t.Errorf("PutObject = %+v", res)
				}
			},
			respHeader: map[string]string{"ETag": `"5d41402abc4b2a76b9719d911017c592"`, "x-kss-request-id": "req-1"},
			method:     "PUT", uri: "/example-bucket/docs/report.txt",
			header: map[string]string{"Content-Type": "text/plain", "Content-MD5": md5B64("hello"), "Content-Length": "5",
				"x-kss-meta-author": "alice", "x-kss-storage-class": "STANDARD_IA", "x-kss-acl": "public-read",
				"x-kss-callbackurl": "http://app.example/cb", "x-kss-callbackbody": "key=${key}&uid=${kss-uid}",
				"kss-uid": "42", "Cache-Control": "max-age=60", "Content-Disposition": "inline", "Content-Encoding": "identity"},
			body: "hello",
			sts: "PUT\n" + md5B64("hello") + "\ntext/plain\n" + vecDate + "\nx-kss-acl:public-read\n" +
				"x-kss-callbackbody:key=${key}&uid=${kss-uid}\nx-kss-callbackurl:http://app.example/cb\n" +
				"x-kss-meta-author:alice\nx-kss-storage-class:STANDARD_IA\n/example-bucket/docs/report.txt",
		},
		{
			name: "PutObject empty body",
			call: func(t *testing.T, c *Client) {
				if _, err := c.PutObject(t.Context(), "example-bucket", "dir/", nil, 0, PutOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			respHeader: map[string]string{"ETag": `"d41d8cd98f00b204e9800998ecf8427e"`},
			method:     "PUT", uri: "/example-bucket/dir/",
			header: map[string]string{"Content-Length": "0", "Content-Type": "", "Content-MD5": ""},
			sts:    "PUT\n\n\n" + vecDate + "\n/example-bucket/dir/",
		},
		{
			name: "DeleteObject",
			call: func(t *testing.T, c *Client) {
				if err := c.DeleteObject(t.Context(), "example-bucket", "/lead//slash"); err != nil {
					t.Fatal(err)
				}
			},
			status: 204,
			method: "DELETE", uri: "/example-bucket/%2Flead/%2Fslash",
			sts: "DELETE\n\n\n" + vecDate + "\n/example-bucket/%2Flead/%2Fslash",
		},
		{
			name: "DeleteObjects",
			call: func(t *testing.T, c *Client) {
				res, err := c.DeleteObjects(t.Context(), "example-bucket", []string{"a&b<c>", "d e"})
				if err != nil {
					t.Fatal(err)
				}
				want := &DeleteResult{Deleted: []string{"a&b<c>"},
					Errors: []DeleteError{{Key: "d e", Code: "AccessDenied", Message: "Access Denied"}}}
				if !reflect.DeepEqual(res, want) {
					t.Errorf("DeleteObjects = %+v, want %+v", res, want)
				}
			},
			respBody: `<?xml version="1.0" encoding="UTF-8"?><DeleteResult ` + s3NS + `><Deleted><Key>a&amp;b&lt;c&gt;</Key></Deleted>` +
				`<Error><Key>d e</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>`,
			method: "POST", uri: "/example-bucket/?delete",
			header: map[string]string{"Content-MD5": md5B64(deleteBody), "Content-Type": "application/xml"},
			body:   deleteBody,
			sts:    "POST\n" + md5B64(deleteBody) + "\napplication/xml\n" + vecDate + "\n/example-bucket/?delete",
		},
		{
			name: "CopyObject REPLACE",
			call: func(t *testing.T, c *Client) {
				res, err := c.CopyObject(t.Context(), "src-bucket", "a b+c", "example-bucket", "copy", CopyOptions{
					MetadataDirective: MetadataDirectiveReplace,
					PutOptions:        PutOptions{ContentType: "text/plain", Metadata: map[string]string{"k": "v"}},
				})
				if err != nil {
					t.Fatal(err)
				}
				want := CopyResult{ETag: "9a0364b9e99bb480dd25e1f0284c8555", LastModified: time.Date(2019, 10, 15, 8, 30, 0, 123e6, time.UTC)}
				if !res.LastModified.Equal(want.LastModified) || res.ETag != want.ETag {
					t.Errorf("CopyObject = %+v, want %+v", res, want)
				}
			},
			respBody: `<CopyObjectResult><LastModified>2019-10-15T08:30:00.123Z</LastModified>` +
				`<ETag>"9a0364b9e99bb480dd25e1f0284c8555"</ETag></CopyObjectResult>`,
			method: "PUT", uri: "/example-bucket/copy",
			header: map[string]string{"x-kss-copy-source": "/src-bucket/a%20b%2Bc", "x-kss-metadata-directive": "REPLACE",
				"Content-Type": "text/plain", "x-kss-meta-k": "v", "Content-Length": "0"},
			sts: "PUT\n\ntext/plain\n" + vecDate + "\nx-kss-copy-source:/src-bucket/a%20b%2Bc\nx-kss-meta-k:v\n" +
				"x-kss-metadata-directive:REPLACE\n/example-bucket/copy",
		},
	}
}

const deleteBody = `<Delete><Quiet>false</Quiet><Object><Key>a&amp;b&lt;c&gt;</Key></Object><Object><Key>d e</Key></Object></Delete>`

const completeWireBody = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e1"</ETag></Part>` +
	`<Part><PartNumber>2</PartNumber><ETag>"e2"</ETag></Part></CompleteMultipartUpload>`

func multipartShapeCases() []shapeCase {
	return []shapeCase{
		{
			name: "InitiateMultipartUpload",
			call: func(t *testing.T, c *Client) {
				id, err := c.InitiateMultipartUpload(t.Context(), "example-bucket", "big/file.bin", PutOptions{ACL: "private"})
				if err != nil || id != testUploadID {
					t.Errorf("InitiateMultipartUpload = %q, %v", id, err)
				}
			},
			respBody: `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult ` + ns2NS + `>` +
				`<ns2:Bucket>example-bucket</ns2:Bucket><ns2:Key>big/file.bin</ns2:Key><ns2:UploadId>` + testUploadID +
				`</ns2:UploadId></InitiateMultipartUploadResult>`,
			method: "POST", uri: "/example-bucket/big/file.bin?uploads",
			header: map[string]string{"x-kss-acl": "private", "Content-Length": "0"},
			sts:    "POST\n\n\n" + vecDate + "\nx-kss-acl:private\n/example-bucket/big/file.bin?uploads",
		},
		{
			name: "UploadPart",
			call: func(t *testing.T, c *Client) {
				sum := md5Sum("part-two")
				etag, err := c.UploadPart(t.Context(), "example-bucket", "big/file.bin", testUploadID, 2, newStringSeeker("part-two"), 8, sum[:])
				if err != nil || etag != "e2" {
					t.Errorf("UploadPart = %q, %v", etag, err)
				}
			},
			respHeader: map[string]string{"ETag": "e2"},
			method:     "PUT", uri: "/example-bucket/big/file.bin?partNumber=2&uploadId=" + testUploadID,
			header: map[string]string{"Content-MD5": md5B64("part-two"), "Content-Length": "8"},
			body:   "part-two",
			sts: "PUT\n" + md5B64("part-two") + "\n\n" + vecDate +
				"\n/example-bucket/big/file.bin?partNumber=2&uploadId=" + testUploadID,
		},
		{
			name: "CompleteMultipartUpload with callback",
			call: func(t *testing.T, c *Client) {
				res, err := c.CompleteMultipartUpload(t.Context(), "example-bucket", "big/file.bin", testUploadID,
					[]CompletedPart{{1, "e1"}, {2, `"e2"`}}, CompleteOptions{CallbackURL: "http://app.example/cb",
						CallbackBody: "etag=${etag}", CallbackVars: map[string]string{"kss-a": "1"}})
				if err != nil {
					t.Fatal(err)
				}
				want := CompleteResult{Location: "http://example-bucket.ks3/big/file.bin", Bucket: "example-bucket",
					Key: "big/file.bin", ETag: "3858f62230ac3c915f300c664312c11f-2", RequestID: "req-9"}
				if *res != want {
					t.Errorf("CompleteMultipartUpload = %+v, want %+v", res, want)
				}
			},
			respHeader: map[string]string{"x-kss-request-id": "req-9"},
			respBody: `<CompleteMultipartUploadResult ` + ns2NS + `><ns2:Location>http://example-bucket.ks3/big/file.bin</ns2:Location>` +
				`<ns2:Bucket>example-bucket</ns2:Bucket><ns2:Key>big/file.bin</ns2:Key>` +
				`<ns2:ETag>"3858f62230ac3c915f300c664312c11f-2"</ns2:ETag></CompleteMultipartUploadResult>`,
			method: "POST", uri: "/example-bucket/big/file.bin?uploadId=" + testUploadID,
			header: map[string]string{"Content-MD5": md5B64(completeWireBody), "Content-Type": "application/xml",
				"x-kss-callbackurl": "http://app.example/cb", "x-kss-callbackbody": "etag=${etag}", "kss-a": "1"},
			body: completeWireBody,
			sts: "POST\n" + md5B64(completeWireBody) + "\napplication/xml\n" + vecDate +
				"\nx-kss-callbackbody:etag=${etag}\nx-kss-callbackurl:http://app.example/cb\n/example-bucket/big/file.bin?uploadId=" + testUploadID,
		},
		{
			name: "UploadPartCopy",
			call: func(t *testing.T, c *Client) {
				etag, err := c.UploadPartCopy(t.Context(), "example-bucket", "big/file.bin", testUploadID, 3, "src-bucket", "a b", "bytes=0-102399")
				if err != nil || etag != "e3" {
					t.Errorf("UploadPartCopy = %q, %v", etag, err)
				}
			},
			respBody: `<CopyPartResult><LastModified>2019-10-15T08:30:00.000Z</LastModified><ETag>"e3"</ETag></CopyPartResult>`,
			method:   "PUT", uri: "/example-bucket/big/file.bin?partNumber=3&uploadId=" + testUploadID,
			header: map[string]string{"x-kss-copy-source": "/src-bucket/a%20b", "x-kss-copy-source-range": "bytes=0-102399",
				"Content-Length": "0"},
			sts: "PUT\n\n\n" + vecDate + "\nx-kss-copy-source:/src-bucket/a%20b\nx-kss-copy-source-range:bytes=0-102399" +
				"\n/example-bucket/big/file.bin?partNumber=3&uploadId=" + testUploadID,
		},
		{
			name: "AbortMultipartUpload",
			call: func(t *testing.T, c *Client) {
				if err := c.AbortMultipartUpload(t.Context(), "example-bucket", "big/file.bin", testUploadID); err != nil {
					t.Fatal(err)
				}
			},
			status: 204,
			method: "DELETE", uri: "/example-bucket/big/file.bin?uploadId=" + testUploadID,
			sts: "DELETE\n\n\n" + vecDate + "\n/example-bucket/big/file.bin?uploadId=" + testUploadID,
		},
		{
			name: "ListParts ns2-prefixed",
			call: func(t *testing.T, c *Client) {
				var got []Part
				for p, err := range c.ListParts(t.Context(), "example-bucket", "big/file.bin", testUploadID) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, p)
				}
				want := []Part{
					{PartNumber: 1, ETag: "e1", Size: 102400, LastModified: time.Date(2019, 10, 15, 8, 30, 0, 0, time.UTC)},
					{PartNumber: 2, ETag: "e2", Size: 7, LastModified: time.Date(2019, 10, 15, 8, 31, 0, 500e6, time.UTC)},
				}
				if len(got) != len(want) {
					t.Fatalf("ListParts = %+v, want %+v", got, want)
				}
				for i := range want {
					if got[i].PartNumber != want[i].PartNumber || got[i].ETag != want[i].ETag || got[i].Size != want[i].Size ||
						!got[i].LastModified.Equal(want[i].LastModified) {
						t.Errorf("part %d = %+v, want %+v", i, got[i], want[i])
					}
				}
			},
			respBody: `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult ` + ns2NS + `>` +
				`<ns2:Bucket>example-bucket</ns2:Bucket><ns2:Key>big/file.bin</ns2:Key><ns2:UploadId>` + testUploadID + `</ns2:UploadId>` +
				`<ns2:Initiator><ns2:ID>123</ns2:ID><ns2:DisplayName>me</ns2:DisplayName></ns2:Initiator>` +
				`<ns2:Owner><ns2:ID>123</ns2:ID><ns2:DisplayName>me</ns2:DisplayName></ns2:Owner>` +
				`<ns2:StorageClass>STANDARD</ns2:StorageClass><ns2:PartNumberMarker>0</ns2:PartNumberMarker>` +
				`<ns2:NextPartNumberMarker>2</ns2:NextPartNumberMarker><ns2:MaxParts>1000</ns2:MaxParts><ns2:IsTruncated>false</ns2:IsTruncated>` +
				`<ns2:Part><ns2:PartNumber>1</ns2:PartNumber><ns2:LastModified>2019-10-15T16:30:00.000+08:00</ns2:LastModified>` +
				`<ns2:ETag>"e1"</ns2:ETag><ns2:Size>102400</ns2:Size></ns2:Part>` +
				`<ns2:Part><ns2:PartNumber>2</ns2:PartNumber><ns2:LastModified>2019-10-15T08:31:00.500Z</ns2:LastModified>` +
				`<ns2:ETag>e2</ns2:ETag><ns2:Size>7</ns2:Size></ns2:Part></ListPartsResult>`,
			method: "GET", uri: "/example-bucket/big/file.bin?max-parts=1000&uploadId=" + testUploadID,
			sts: "GET\n\n\n" + vecDate + "\n/example-bucket/big/file.bin?uploadId=" + testUploadID,
		},
		{
			name: "ListMultipartUploads",
			call: func(t *testing.T, c *Client) {
				var got []Upload
				for u, err := range c.ListMultipartUploads(t.Context(), "example-bucket", ListUploadsOptions{Prefix: "big/", Delimiter: "/"}) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, u)
				}
				want := []Upload{
					{Key: "big/file.bin", UploadID: "u1", StorageClass: "STANDARD", Initiated: time.Date(2019, 10, 15, 0, 30, 0, 0, time.UTC)},
					{Key: "big/file.bin", UploadID: "u2", StorageClass: "STANDARD_IA", Initiated: time.Date(2019, 10, 15, 8, 30, 0, 0, time.UTC)},
					{Prefix: "big/sub/"},
				}
				if len(got) != len(want) {
					t.Fatalf("ListMultipartUploads = %+v, want %+v", got, want)
				}
				for i := range want {
					if got[i].Key != want[i].Key || got[i].UploadID != want[i].UploadID || got[i].StorageClass != want[i].StorageClass ||
						got[i].Prefix != want[i].Prefix || !got[i].Initiated.Equal(want[i].Initiated) {
						t.Errorf("upload %d = %+v, want %+v", i, got[i], want[i])
					}
				}
			},
			respBody: `<ListMultipartUploadsResult ` + s3NS + `><Bucket>example-bucket</Bucket><KeyMarker></KeyMarker>` +
				`<UploadIdMarker></UploadIdMarker><NextKeyMarker>big/file.bin</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker>` +
				`<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
				`<Upload><Key>big/file.bin</Key><UploadId>u1</UploadId><StorageClass>STANDARD</StorageClass>` +
				`<Initiated>2019-10-15T08:30:00.000+08:00</Initiated></Upload>` +
				`<Upload><Key>big/file.bin</Key><UploadId>u2</UploadId><StorageClass>STANDARD_IA</StorageClass>` +
				`<Initiated>2019-10-15T08:30:00Z</Initiated></Upload>` +
				`<CommonPrefixes><Prefix>big/sub/</Prefix></CommonPrefixes></ListMultipartUploadsResult>`,
			method: "GET", uri: "/example-bucket/?delimiter=%2F&encoding-type=url&max-uploads=1000&prefix=big%2F&uploads",
			sts: "GET\n\n\n" + vecDate + "\n/example-bucket/?uploads",
		},
	}
}

func listShapeCases() []shapeCase {
	return []shapeCase{
		{
			name: "ListObjects",
			call: func(t *testing.T, c *Client) {
				res, err := c.ListObjects(t.Context(), "example-bucket", ListObjectsOptions{Prefix: "photos/", Delimiter: "/", Marker: "photos/a", MaxKeys: 500})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Objects) != 2 || !res.IsTruncated || res.NextMarker != "photos/z/" ||
					!slices.Equal(res.CommonPrefixes, []string{"photos/2019/", "photos/z/"}) {
					t.Fatalf("ListObjects = %+v", res)
				}
				want := ObjectInfo{Key: "photos/b.jpg", Size: 42, ETag: "e1", StorageClass: "STANDARD",
					Owner: Owner{ID: "123", DisplayName: "me"}}
				got := res.Objects[0]
				if !got.LastModified.Equal(time.Date(2019, 10, 15, 0, 30, 0, 0, time.UTC)) {
					t.Errorf("LastModified = %v", got.LastModified)
				}
				got.LastModified = time.Time{}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("object = %+v, want %+v", got, want)
				}
				if o := res.Objects[1]; o.ETag != "e2" || o.StorageClass != "STANDARD_IA" || o.Key != "photos/c d.jpg" {
					t.Errorf("object = %+v", o)
				}
			},
			respBody: `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ` + s3NS + `><Name>example-bucket</Name>` +
				`<Prefix>photos/</Prefix><Marker>photos/a</Marker><MaxKeys>100</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>` +
				`<Contents><Key>photos/b.jpg</Key><LastModified>2019-10-15T08:30:00.000+08:00</LastModified><ETag>"e1"</ETag>` +
				`<Size>42</Size><Owner><ID>123</ID><DisplayName>me</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>` +
				`<Contents><Key>photos/c d.jpg</Key><LastModified>2019-10-15T08:30:00.000Z</LastModified><ETag>e2</ETag>` +
				`<Size>0</Size><StorageClass>STANDARD_IA</StorageClass></Contents>` +
				`<CommonPrefixes><Prefix>photos/2019/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>photos/z/</Prefix></CommonPrefixes>` +
				`</ListBucketResult>`,
			method: "GET", uri: "/example-bucket/?delimiter=%2F&encoding-type=url&marker=photos%2Fa&max-keys=100&prefix=photos%2F",
			sts: "GET\n\n\n" + vecDate + "\n/example-bucket/",
		},
		{
			name: "ListBuckets",
			call: func(t *testing.T, c *Client) {
				got, err := c.ListBuckets(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				want := []Bucket{{Name: "a-bucket", Region: "BEIJING", Type: "NORMAL", CreationDate: time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC)},
					{Name: "b-bucket", CreationDate: time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC)}}
				if len(got) != 2 || got[0].Name != want[0].Name || got[0].Region != want[0].Region || got[0].Type != want[0].Type ||
					!got[0].CreationDate.Equal(want[0].CreationDate) || got[1].Name != want[1].Name || !got[1].CreationDate.Equal(want[1].CreationDate) {
					t.Errorf("ListBuckets = %+v, want %+v", got, want)
				}
			},
			respBody: `<ListAllMyBucketsResult ` + s3NS + `><Owner><ID>123</ID><DisplayName>me</DisplayName></Owner><Buckets>` +
				`<Bucket><Name>a-bucket</Name><CreationDate>2019-01-02T03:04:05.000Z</CreationDate><Region>BEIJING</Region><Type>NORMAL</Type></Bucket>` +
				`<Bucket><Name>b-bucket</Name><CreationDate>2019-01-02T11:04:05+08:00</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`,
			method: "GET", uri: "/",
			sts: "GET\n\n\n" + vecDate + "\n/",
		},
	}
}

const createBucketBody = `<CreateBucketConfiguration><LocationConstraint>BEIJING</LocationConstraint></CreateBucketConfiguration>`

const aclResponse = `<AccessControlPolicy ` + s3NS + `><Owner><ID>123</ID><DisplayName>me</DisplayName></Owner><AccessControlList>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>123</ID><DisplayName>me</DisplayName></Grantee>` +
	`<Permission>FULL_CONTROL</Permission></Grant>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.ksyun.com/groups/global/AllUsers</URI></Grantee>` +
	`<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`

var wantACL = &AccessControlPolicy{Owner: Owner{ID: "123", DisplayName: "me"}, Grants: []Grant{
	{GranteeType: "CanonicalUser", ID: "123", DisplayName: "me", Permission: "FULL_CONTROL"},
	{GranteeType: "Group", URI: AllUsersURI, Permission: "READ"},
}}

const aclRequestBody = `<AccessControlPolicy><Owner><ID>123</ID><DisplayName>me</DisplayName></Owner><AccessControlList>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>123</ID><DisplayName>me</DisplayName></Grantee>` +
	`<Permission>FULL_CONTROL</Permission></Grant>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.ksyun.com/groups/global/AllUsers</URI></Grantee>` +
	`<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`

func bucketShapeCases() []shapeCase {
	noErr := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	checkACL := func(t *testing.T, p *AccessControlPolicy, err error) {
		t.Helper()
		noErr(t, err)
		if !reflect.DeepEqual(p, wantACL) {
			t.Errorf("ACL = %+v, want %+v", p, wantACL)
		}
	}
	return []shapeCase{
		{
			name: "CreateBucket",
			call: func(t *testing.T, c *Client) {
				noErr(t, c.CreateBucket(t.Context(), "new-bucket", CreateBucketOptions{ACL: "private", Location: "BEIJING", Type: "IA"}))
			},
			method: "PUT", uri: "/new-bucket/",
			header: map[string]string{"x-kss-acl": "private", "x-kss-bucket-type": "IA", "Content-MD5": md5B64(createBucketBody)},
			body:   createBucketBody,
			sts: "PUT\n" + md5B64(createBucketBody) + "\napplication/xml\n" + vecDate +
				"\nx-kss-acl:private\nx-kss-bucket-type:IA\n/new-bucket/",
		},
		{
			name:   "DeleteBucket",
			call:   func(t *testing.T, c *Client) { noErr(t, c.DeleteBucket(t.Context(), "example-bucket")) },
			status: 204, method: "DELETE", uri: "/example-bucket/",
			sts: "DELETE\n\n\n" + vecDate + "\n/example-bucket/",
		},
		{
			name:   "HeadBucket",
			call:   func(t *testing.T, c *Client) { noErr(t, c.HeadBucket(t.Context(), "example-bucket")) },
			method: "HEAD", uri: "/example-bucket/",
			sts: "HEAD\n\n\n" + vecDate + "\n/example-bucket/",
		},
		{
			name: "GetBucketLocation",
			call: func(t *testing.T, c *Client) {
				loc, err := c.GetBucketLocation(t.Context(), "example-bucket")
				if err != nil || loc != "BEIJING" {
					t.Errorf("GetBucketLocation = %q, %v", loc, err)
				}
			},
			respBody: `<?xml version="1.0" encoding="UTF-8"?><LocationConstraint ` + s3NS + `>BEIJING</LocationConstraint>`,
			method:   "GET", uri: "/example-bucket/?location",
			sts: "GET\n\n\n" + vecDate + "\n/example-bucket/?location",
		},
		{
			name: "GetBucketACL",
			call: func(t *testing.T, c *Client) {
				p, err := c.GetBucketACL(t.Context(), "example-bucket")
				checkACL(t, p, err)
			},
			respBody: aclResponse, method: "GET", uri: "/example-bucket/?acl",
			sts: "GET\n\n\n" + vecDate + "\n/example-bucket/?acl",
		},
		{
			name:   "SetBucketACL",
			call:   func(t *testing.T, c *Client) { noErr(t, c.SetBucketACL(t.Context(), "example-bucket", "public-read")) },
			method: "PUT", uri: "/example-bucket/?acl",
			header: map[string]string{"x-kss-acl": "public-read", "Content-Length": "0"},
			sts:    "PUT\n\n\n" + vecDate + "\nx-kss-acl:public-read\n/example-bucket/?acl",
		},
		{
			name:   "PutBucketACLPolicy",
			call:   func(t *testing.T, c *Client) { noErr(t, c.PutBucketACLPolicy(t.Context(), "example-bucket", wantACL)) },
			method: "PUT", uri: "/example-bucket/?acl",
			header: map[string]string{"Content-MD5": md5B64(aclRequestBody), "x-kss-acl": ""},
			body:   aclRequestBody,
			sts:    "PUT\n" + md5B64(aclRequestBody) + "\napplication/xml\n" + vecDate + "\n/example-bucket/?acl",
		},
		{
			name: "GetObjectACL",
			call: func(t *testing.T, c *Client) {
				p, err := c.GetObjectACL(t.Context(), "example-bucket", "k~1")
				checkACL(t, p, err)
			},
			respBody: aclResponse, method: "GET", uri: "/example-bucket/k~1?acl",
			sts: "GET\n\n\n" + vecDate + "\n/example-bucket/k~1?acl",
		},
		{
			name:   "SetObjectACL",
			call:   func(t *testing.T, c *Client) { noErr(t, c.SetObjectACL(t.Context(), "example-bucket", "k", "private")) },
			method: "PUT", uri: "/example-bucket/k?acl",
			header: map[string]string{"x-kss-acl": "private", "Content-Length": "0"},
			sts:    "PUT\n\n\n" + vecDate + "\nx-kss-acl:private\n/example-bucket/k?acl",
		},
		{
			name: "PutObjectACLPolicy",
			call: func(t *testing.T, c *Client) {
				noErr(t, c.PutObjectACLPolicy(t.Context(), "example-bucket", "k", wantACL))
			},
			method: "PUT", uri: "/example-bucket/k?acl",
			header: map[string]string{"Content-MD5": md5B64(aclRequestBody)},
			body:   aclRequestBody,
			sts:    "PUT\n" + md5B64(aclRequestBody) + "\napplication/xml\n" + vecDate + "\n/example-bucket/k?acl",
		},
	}
}
