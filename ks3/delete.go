package ks3

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
)

// maxDeleteKeys is the number of keys one Delete Multiple Objects request
// may carry.
const maxDeleteKeys = 1000

// DeleteObject deletes an object. Deleting a missing object is not an error
// on KS3 (204), as on S3.
func (c *Client) DeleteObject(ctx context.Context, bucket, key string) error {
	r := &request{method: http.MethodDelete, bucket: bucket, key: key, notFoundCode: "NoSuchKey"}
	if err := c.do(ctx, r, discard); err != nil {
		return fmt.Errorf("delete object %q: %w", objectName(bucket, key), err)
	}
	return nil
}

// DeleteError is a key that Delete Multiple Objects could not delete.
type DeleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// DeleteResult is the outcome of DeleteObjects.
type DeleteResult struct {
	Deleted []string
	Errors  []DeleteError
}

type deleteRequest struct {
	XMLName xml.Name          `xml:"Delete"`
	Quiet   bool              `xml:"Quiet"`
	Objects []deleteObjectKey `xml:"Object"`
}

type deleteObjectKey struct {
	Key string `xml:"Key"`
}

type deleteResultXML struct {
	Deleted []deleteObjectKey `xml:"Deleted"`
	Errors  []DeleteError     `xml:"Error"`
}

// DeleteObjects deletes keys with Delete Multiple Objects requests of at
// most 1000 keys each, in order. Keys the service refused are listed in
// DeleteResult.Errors; the error return is for requests that failed as a
// whole, and then the result holds what earlier batches did.
func (c *Client) DeleteObjects(ctx context.Context, bucket string, keys []string) (*DeleteResult, error) {
	res := &DeleteResult{}
	for start := 0; start < len(keys); start += maxDeleteKeys {
		batch := keys[start:min(start+maxDeleteKeys, len(keys))]
		if err := c.deleteBatch(ctx, bucket, batch, res); err != nil {
			return res, fmt.Errorf("delete %d objects from bucket %q: %w", len(keys), bucket, err)
		}
	}
	return res, nil
}

// deleteBatch sends one Delete Multiple Objects request and appends its
// outcome to res.
func (c *Client) deleteBatch(ctx context.Context, bucket string, keys []string, res *DeleteResult) error {
	body := deleteRequest{Objects: make([]deleteObjectKey, len(keys))}
	for i, k := range keys {
		if err := checkXMLText(k); err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
		body.Objects[i].Key = k
	}
	r := &request{method: http.MethodPost, bucket: bucket, query: url.Values{"delete": {""}},
		header: http.Header{}, notFoundCode: "NoSuchBucket"}
	var err error
	if r.body, r.size, err = xmlBody(r.header, body); err != nil {
		return err
	}
	var out deleteResultXML
	if err := c.do(ctx, r, decodeInto(&out)); err != nil {
		return err
	}
	for _, d := range out.Deleted {
		res.Deleted = append(res.Deleted, d.Key)
	}
	res.Errors = append(res.Errors, out.Errors...)
	return nil
}
