import { describe, expect, it } from "vitest";
import zhCN from "../../i18n/locales/zh-CN";
import enUS from "../../i18n/locales/en-US";
import { MAX_PHOTO_BYTES, photoProblem, photoSrc } from "./photo";

describe("a photo chosen for upload", () => {
  it("takes JPEG, PNG and WebP up to 10 MB", () => {
    for (const type of ["image/jpeg", "image/png", "image/webp", "IMAGE/PNG"]) {
      expect(photoProblem({ type, size: 1000 })).toBeNull();
    }
    expect(photoProblem({ type: "image/jpeg", size: MAX_PHOTO_BYTES })).toBeNull();
  });

  it("refuses other types, a file too large and an empty one, before sending", () => {
    expect(photoProblem({ type: "image/gif", size: 1000 })).toBe("photo.badType");
    expect(photoProblem({ type: "application/pdf", size: 1000 })).toBe("photo.badType");
    expect(photoProblem({ type: "image/png", size: MAX_PHOTO_BYTES + 1 })).toBe("photo.tooLarge");
    expect(photoProblem({ type: "image/png", size: 0 })).toBe("photo.empty");
    // A type the browser does not know (HEIC on some systems): the server decides.
    expect(photoProblem({ type: "", size: 1000 })).toBeNull();
    expect(zhCN["photo.tooLarge"]).toContain("{limit}");
    expect(enUS["photo.badType"]).toContain("WebP");
  });
});

describe("which size of a photo an avatar loads", () => {
  it("the thumbnail for small avatars, the photo for large ones, nothing without a photo", () => {
    const url = "/api/v1/people/7/photo/0123456789abcdef";
    expect(photoSrc(url, 40)).toBe(`${url}/thumbnail`);
    expect(photoSrc(url, 120)).toBe(url);
    expect(photoSrc(null, 40)).toBeUndefined();
  });
});
