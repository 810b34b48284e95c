package handlers

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ks3sync/ks3sync/ks3server/apierr"
)

// s3Namespace is the XML namespace of KS3 (and S3) documents.
const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// xsiNamespace is declared on every ACL Grantee for its xsi:type attribute.
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// isoTime formats t the way KS3 listings do: UTC with milliseconds.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// quoteETag returns the HTTP form of an entity tag.
func quoteETag(etag string) string { return `"` + etag + `"` }

// writeXML answers status with v marshalled as an XML document.
func writeXML(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		// Every document type is a plain struct of strings and numbers;
		// failing to encode one is a programming error.
		panic("handlers: encode xml: " + err.Error())
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Limits on XML request bodies.
const (
	maxSmallBody = 64 << 10 // ACLs, bucket configuration
	maxLargeBody = 4 << 20  // multi-delete (1000 keys), complete (10000 parts)
)

// readXMLBody decodes the XML request body into v, answering MalformedXML
// for an empty, oversized or invalid document.
func readXMLBody(r *http.Request, limit int64, v any) error {
	data, err := readBody(r, limit)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return apierr.MalformedXML.WithMessage("The request needs an XML body.")
	}
	return unmarshalXML(data, v)
}

// unmarshalXML decodes an XML request document, answering MalformedXML
// when it is invalid.
func unmarshalXML(data []byte, v any) error {
	if err := xml.Unmarshal(data, v); err != nil {
		return apierr.MalformedXML
	}
	return nil
}

// readBody reads a small request body whole. A body that fails its own
// verification is answered as such, any other read error as
// IncompleteBody.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		if ae, ok := errorsAs[apierr.Error](err); ok {
			return nil, ae
		}
		return nil, apierr.IncompleteBody
	}
	if int64(len(data)) > limit {
		return nil, apierr.MalformedXML.WithMessage("The XML body is larger than %d bytes.", limit)
	}
	return data, nil
}

// owner is the Owner (and Initiator) element.
type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

// The single account of this server owns every bucket, object and upload.
var serverOwner = owner{ID: "ks3sync", DisplayName: "ks3sync"}

type listAllMyBucketsResult struct {
	XMLName xml.Name      `xml:"ListAllMyBucketsResult"`
	NS      string        `xml:"xmlns,attr"`
	Owner   owner         `xml:"Owner"`
	Buckets []bucketEntry `xml:"Buckets>Bucket"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	Region       string `xml:"Region"`
	Type         string `xml:"Type"`
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

type locationConstraint struct {
	XMLName  xml.Name `xml:"LocationConstraint"`
	NS       string   `xml:"xmlns,attr"`
	Location string   `xml:",chardata"`
}

type listBucketResult struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	NS             string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	Contents       []objectEntry  `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type objectEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        owner  `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	NS           string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name       `xml:"DeleteResult"`
	NS      string         `xml:"xmlns,attr"`
	Deleted []deletedEntry `xml:"Deleted"`
	Errors  []deleteError  `xml:"Error"`
}

type deletedEntry struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

type completeMultipartUpload struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeMultipartUploadResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// listPartsResult is answered with ns2-prefixed child elements, as KS3 does:
// the official Python SDK only recognises parts named literally "ns2:Part".
type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	NS                   string      `xml:"xmlns:ns2,attr"`
	Bucket               string      `xml:"ns2:Bucket"`
	Key                  string      `xml:"ns2:Key"`
	UploadID             string      `xml:"ns2:UploadId"`
	Initiator            ns2Owner    `xml:"ns2:Initiator"`
	Owner                ns2Owner    `xml:"ns2:Owner"`
	StorageClass         string      `xml:"ns2:StorageClass"`
	EncodingType         string      `xml:"ns2:EncodingType,omitempty"`
	PartNumberMarker     int         `xml:"ns2:PartNumberMarker"`
	NextPartNumberMarker int         `xml:"ns2:NextPartNumberMarker"`
	MaxParts             int         `xml:"ns2:MaxParts"`
	IsTruncated          bool        `xml:"ns2:IsTruncated"`
	Parts                []partEntry `xml:"ns2:Part"`
}

type ns2Owner struct {
	ID          string `xml:"ns2:ID"`
	DisplayName string `xml:"ns2:DisplayName"`
}

type partEntry struct {
	PartNumber   int    `xml:"ns2:PartNumber"`
	LastModified string `xml:"ns2:LastModified"`
	ETag         string `xml:"ns2:ETag"`
	Size         int64  `xml:"ns2:Size"`
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	NS                 string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type uploadEntry struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiator    owner  `xml:"Initiator"`
	Owner        owner  `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
	Initiated    string `xml:"Initiated"`
}

// accessControlPolicy is both the GET ?acl answer and the PUT ?acl body.
type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Owner   owner    `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

// grantee carries xsi:type with the xsi namespace declared, which the
// official Python SDK reads unconditionally.
type grantee struct {
	XSI         string `xml:"xmlns:xsi,attr,omitempty"`
	Type        string `xml:"xsi:type,attr"`
	ID          string `xml:"ID,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty"`
	URI         string `xml:"URI,omitempty"`
}
