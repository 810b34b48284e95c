"""boto3 against an S3-compatible endpoint: multipart with list-parts and
abort, copy, ACLs, metadata, and paging over 2,500 keys.

The endpoint and credentials come from the environment: S3_ENDPOINT,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION. The script
prints one "ok <step>" line per step and exits non-zero at the first failure.
"""

import hashlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

BUCKET = "boto3-peer"
ALL_USERS_SUFFIX = "/groups/global/AllUsers"
PART = 5 * 1024 * 1024


def client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
    )


def check(cond, what):
    if not cond:
        print("FAIL " + what, flush=True)
        sys.exit(1)


def ok(step):
    print("ok " + step, flush=True)


def multipart(s3):
    data = os.urandom(2 * PART + 12345)
    key = "mpu/big object.bin"
    up = s3.create_multipart_upload(Bucket=BUCKET, Key=key, ContentType="application/x-big",
                                    Metadata={"purpose": "boto3"})
    uid = up["UploadId"]
    parts = []
    for n, off in enumerate(range(0, len(data), PART), start=1):
        r = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=uid, PartNumber=n, Body=data[off:off + PART])
        parts.append({"PartNumber": n, "ETag": r["ETag"]})
    listed = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=uid)["Parts"]
    check([p["PartNumber"] for p in listed] == [1, 2, 3], "list_parts numbers %r" % listed)
    check([p["ETag"] for p in listed] == [p["ETag"] for p in parts], "list_parts etags")
    check([p["Size"] for p in listed] == [PART, PART, 12345], "list_parts sizes")
    uploads = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="mpu/").get("Uploads", [])
    check(any(u["UploadId"] == uid and u["Key"] == key for u in uploads), "list_multipart_uploads")
    s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uid, MultipartUpload={"Parts": parts})
    got = s3.get_object(Bucket=BUCKET, Key=key)
    check(got["Body"].read() == data, "multipart object bytes")
    check(got["ContentType"] == "application/x-big", "multipart content type %r" % got["ContentType"])
    check(got["Metadata"] == {"purpose": "boto3"}, "multipart metadata %r" % got["Metadata"])
    ok("multipart upload, list-parts, complete")

    uid = s3.create_multipart_upload(Bucket=BUCKET, Key="mpu/aborted")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="mpu/aborted", UploadId=uid, PartNumber=1, Body=b"x" * 1000)
    s3.abort_multipart_upload(Bucket=BUCKET, Key="mpu/aborted", UploadId=uid)
    uploads = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="mpu/").get("Uploads", [])
    check(all(u["UploadId"] != uid for u in uploads), "aborted upload still listed")
    try:
        s3.list_parts(Bucket=BUCKET, Key="mpu/aborted", UploadId=uid)
        check(False, "list_parts of an aborted upload succeeded")
    except s3.exceptions.NoSuchUpload:
        pass
    ok("multipart abort")


def copy_and_metadata(s3):
    body = b"copy me " * 100
    s3.put_object(Bucket=BUCKET, Key="src/a+b c.txt", Body=body, ContentType="text/plain",
                  Metadata={"color": "red", "Mixed-Case": "Value"})
    head = s3.head_object(Bucket=BUCKET, Key="src/a+b c.txt")
    check(head["Metadata"] == {"color": "red", "mixed-case": "Value"}, "metadata %r" % head["Metadata"])
    check(head["ETag"] == '"%s"' % hashlib.md5(body).hexdigest(), "ETag %r" % head["ETag"])
    check(head["ContentLength"] == len(body), "ContentLength")
    ok("metadata")

    src = {"Bucket": BUCKET, "Key": "src/a+b c.txt"}
    s3.copy_object(Bucket=BUCKET, Key="dst/kept.txt", CopySource=src)
    head = s3.head_object(Bucket=BUCKET, Key="dst/kept.txt")
    check(head["Metadata"] == {"color": "red", "mixed-case": "Value"}, "copied metadata %r" % head["Metadata"])
    s3.copy_object(Bucket=BUCKET, Key="dst/replaced.txt", CopySource=src, MetadataDirective="REPLACE",
                   Metadata={"color": "blue"}, ContentType="text/x-replaced")
    head = s3.head_object(Bucket=BUCKET, Key="dst/replaced.txt")
    check(head["Metadata"] == {"color": "blue"}, "replaced metadata %r" % head["Metadata"])
    check(head["ContentType"] == "text/x-replaced", "replaced content type %r" % head["ContentType"])
    check(s3.get_object(Bucket=BUCKET, Key="dst/replaced.txt")["Body"].read() == body, "copied bytes")
    ok("copy")


def public_read(grants):
    return any(g["Permission"] == "READ" and g["Grantee"].get("Type") == "Group"
               and g["Grantee"].get("URI", "").endswith(ALL_USERS_SUFFIX) for g in grants)


def acls(s3):
    s3.put_object(Bucket=BUCKET, Key="acl/obj", Body=b"acl", ACL="private")
    acl = s3.get_object_acl(Bucket=BUCKET, Key="acl/obj")
    check(acl["Owner"]["ID"] != "" and not public_read(acl["Grants"]), "private object ACL %r" % acl)
    s3.put_object_acl(Bucket=BUCKET, Key="acl/obj", ACL="public-read")
    check(public_read(s3.get_object_acl(Bucket=BUCKET, Key="acl/obj")["Grants"]), "public-read object ACL")
    s3.put_bucket_acl(Bucket=BUCKET, ACL="public-read")
    check(public_read(s3.get_bucket_acl(Bucket=BUCKET)["Grants"]), "public-read bucket ACL")
    s3.put_bucket_acl(Bucket=BUCKET, ACL="private")
    check(not public_read(s3.get_bucket_acl(Bucket=BUCKET)["Grants"]), "private bucket ACL")
    ok("acl")


def paging(s3):
    keys = ["page/%04d/%s" % (i, "x.txt" if i % 2 else "y z.bin") for i in range(2500)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode()), keys))
    for api in ("list_objects_v2", "list_objects"):
        seen, pages = [], 0
        for page in s3.get_paginator(api).paginate(Bucket=BUCKET, Prefix="page/", PaginationConfig={"PageSize": 1000}):
            pages += 1
            seen += [o["Key"] for o in page.get("Contents", [])]
        check(seen == sorted(keys), "%s listed %d keys, want 2500 in order" % (api, len(seen)))
        check(pages == 3, "%s took %d pages, want 3" % (api, pages))
    prefixes = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="page/", Delimiter="/"):
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    check(len(prefixes) == 2500 and prefixes == sorted(prefixes), "delimited listing: %d prefixes" % len(prefixes))
    ok("paging over 2500 keys")
    for i in range(0, len(keys), 1000):
        r = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]]})
        check(not r.get("Errors"), "delete_objects errors %r" % r.get("Errors"))
    check(s3.list_objects_v2(Bucket=BUCKET, Prefix="page/")["KeyCount"] == 0, "keys left after delete_objects")
    ok("delete_objects")


def cleanup(s3):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for o in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=o["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    try:
        s3.head_bucket(Bucket=BUCKET)
        check(False, "bucket still exists after delete_bucket")
    except s3.exceptions.ClientError as e:
        check(e.response["Error"]["Code"] in ("404", "NoSuchBucket"), "head_bucket error %r" % e.response["Error"])
    ok("delete bucket")


def main():
    s3 = client()
    s3.create_bucket(Bucket=BUCKET)
    s3.head_bucket(Bucket=BUCKET)
    ok("create bucket")
    multipart(s3)
    copy_and_metadata(s3)
    acls(s3)
    paging(s3)
    cleanup(s3)


if __name__ == "__main__":
    main()
