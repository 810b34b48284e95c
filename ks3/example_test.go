package ks3_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/ks3sync/ks3sync/ks3"
)

func ExampleNew() {
	c, err := ks3.New(ks3.Options{
		Endpoint:  "ks3-cn-beijing.ksyuncs.com",
		Secure:    true,
		AccessKey: os.Getenv("KS3_ACCESS_KEY"),
		SecretKey: os.Getenv("KS3_SECRET_KEY"),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	f, err := os.Open("report.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	// Single PUT up to 64 MiB, parallel multipart above.
	res, err := c.Put(ctx, "my-bucket", "docs/report.pdf", f, st.Size(), ks3.UploadOptions{
		PutOptions: ks3.PutOptions{ContentType: "application/pdf"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded, ETag", res.ETag)
}

func ExamplePlanParts() {
	plan, err := ks3.PlanParts(1<<40, 8<<20) // 1 TiB with 8 MiB parts would need 131072 parts
	if err != nil {
		log.Fatal(err)
	}
	off, n := plan.Part(plan.Count)
	fmt.Printf("%d parts of %d MiB, the last at %d holds %d bytes\n", plan.Count, plan.PartSize>>20, off, n)
	// Output: 9987 parts of 105 MiB, the last at 1099463393280 holds 48234496 bytes
}

func ExampleClient_PresignURL() {
	c, err := ks3.New(ks3.Options{
		Endpoint:  "ks3-cn-beijing.ksyuncs.com",
		AccessKey: "AKLTEXAMPLEACCESSKEY1",
		SecretKey: "EXAMPLEsecretKEY0123456789abcdefghijklmno",
	})
	if err != nil {
		log.Fatal(err)
	}
	u, err := c.PresignURL("GET", "example-bucket", "photos/2019/cat.jpg", time.Unix(1700000000, 0), ks3.PresignOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u)
	// Output: http://example-bucket.ks3-cn-beijing.ksyuncs.com/photos/2019/cat.jpg?Signature=QzWArp6QkrWb9E1kzwj1Vkcp3yY%3D&Expires=1700000000&KSSAccessKeyId=AKLTEXAMPLEACCESSKEY1
}

func ExampleClient_Walk() {
	c, err := ks3.New(ks3.Options{Endpoint: "ks3-cn-beijing.ksyuncs.com", Secure: true,
		AccessKey: os.Getenv("KS3_ACCESS_KEY"), SecretKey: os.Getenv("KS3_SECRET_KEY")})
	if err != nil {
		log.Fatal(err)
	}
	for item, err := range c.Walk(context.Background(), "my-bucket", ks3.ListObjectsOptions{Prefix: "photos/", Delimiter: "/"}) {
		if err != nil {
			log.Fatal(err)
		}
		if item.Prefix != "" {
			fmt.Println("dir ", item.Prefix)
			continue
		}
		fmt.Println("file", item.Object.Key, item.Object.Size)
	}
}
