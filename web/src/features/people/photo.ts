/** People's photos (头像): what the client checks before uploading, and the mutations. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call, postForm } from "../../api/http";
import type { MessageKey } from "../../i18n";

/** What the server takes (org/photos.py): JPEG, PNG or WebP up to 10 MB. */
export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Why a chosen file cannot be a photo, before sending it (the server checks the bytes again). */
export function photoProblem(file: { type: string; size: number }): MessageKey | null {
  if (file.type && !PHOTO_TYPES.includes(file.type.toLowerCase())) return "photo.badType";
  if (file.size > MAX_PHOTO_BYTES) return "photo.tooLarge";
  if (file.size === 0) return "photo.empty";
  return null;
}

/** The URL of a photo to show at `size` pixels: the 128-pixel thumbnail for small avatars. */
export function photoSrc(url: string | null | undefined, size: number): string | undefined {
  if (!url) return undefined;
  return size <= 64 ? `${url}/thumbnail` : url;
}

/** Sets or removes a person's photo; everything showing them is fetched again. */
export function usePhotoMutations(personId: number) {
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["me"] });
    void qc.invalidateQueries({ queryKey: ["person", personId] });
    void qc.invalidateQueries({ queryKey: ["people"] });
  };
  const set = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append("file", file);
      return postForm<{ photo_url?: string | null }>(`/api/v1/people/${personId}/photo`, form, "PUT");
    },
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () =>
      call(api.DELETE("/api/v1/people/{person_id}/photo", { params: { path: { person_id: personId } } })),
    onSuccess: refresh,
  });
  return { set, remove };
}
