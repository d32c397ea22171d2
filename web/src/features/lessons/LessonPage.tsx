/**
 * A live lesson (docs/lessons.md): the teacher goes live and publishes camera, screen or both;
 * everyone watches every feed (the teacher's, those on stage); comments, likes and questions
 * beside the video over `lesson:<id>`; hands and the stage (连麦). Works on a phone-sized page.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert, App, Button, Input, List, Segmented, Space, Tag, Typography } from "antd";
import { LikeOutlined } from "@ant-design/icons";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import { api, call, readCookie } from "../../api/http";
import { useMe } from "../../api/hooks";
import type { components } from "../../api/schema";
import { errorText } from "../../app/errors";
import { useT } from "../../i18n";
import { useEvent, useSubscription } from "../../realtime";
import { FeedVideo, Video } from "./FeedVideo";
import { Replay } from "./Replay";
import { close, publish } from "./rtc";
import "./lessons.css";

type Lesson = components["schemas"]["LessonView"];
type Comment = components["schemas"]["CommentOut"];
type Mode = "camera" | "screen" | "screen,camera";

async function capture(mode: Mode): Promise<MediaStream> {
  const out = new MediaStream();
  if (mode !== "camera") {
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
    screen.getVideoTracks().forEach((t) => out.addTrack(t));
  }
  const cam = await navigator.mediaDevices.getUserMedia({ audio: true, video: mode !== "screen" ? { width: 640, height: 480 } : false });
  cam.getVideoTracks().forEach((t) => out.addTrack(t));
  cam.getAudioTracks().forEach((t) => out.addTrack(t));
  return out;
}

export default function LessonPage() {
  const t = useT();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const me = useMe().data;
  const [lesson, setLesson] = useState<Lesson | null>(null);
  const [comments, setComments] = useState<Comment[]>([]);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [mode, setMode] = useState<Mode>("camera");
  const pub = useRef<RTCPeerConnection | null>(null);
  /** What this page publishes (to publish it again after the media server restarted). */
  const sent = useRef<{ mode: Mode; stream: MediaStream } | null>(null);
  const status = useQuery({ queryKey: ["media", "status"], queryFn: () => call(api.GET("/api/v1/media/status")) });

  const join = useCallback(async () => {
    try {
      setLesson(await call(api.POST("/api/v1/lessons/{lesson_id}/join", { params: { path: { lesson_id: id } } })));
      setComments(await call(api.GET("/api/v1/lessons/{lesson_id}/comments", { params: { path: { lesson_id: id } } })));
    } catch (err) {
      setProblem(errorText(err, t));
    }
  }, [id, t]);

  useEffect(() => {
    void join();
    const leave = () => {
      void fetch(`/api/v1/lessons/${id}/leave`, {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
        headers: { "x-csrf-token": readCookie("bw_csrf") ?? "" },
      });
    };
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      leave();
      close(pub.current);
    };
  }, [id, join]);

  // On every (re)subscription: what changed while the socket was away (joining again would
  // count another presence interval).
  const refresh = useCallback(async () => {
    try {
      setLesson(await call(api.GET("/api/v1/lessons/{lesson_id}", { params: { path: { lesson_id: id } } })));
    } catch {
      // the join's own error is shown
    }
  }, [id]);
  useSubscription([`lesson:${id}`], () => void refresh());
  useEvent("lesson.changed", (ev) => {
    if (ev.lesson.id === id) setLesson((prev) => (prev ? { ...prev, ...ev.lesson } : prev));
  });
  useEvent("lesson.comment", (ev) => {
    if (ev.comment.lesson_id === id) setComments((prev) => [...prev.slice(-199), ev.comment]);
  });
  useEvent("lesson.likes", (ev) => {
    if (ev.lesson_id === id) setLesson((prev) => (prev ? { ...prev, likes: ev.likes } : prev));
  });
  // The media server restarted (the lesson has a new room, no feeds): watch again, and whoever
  // was publishing (the teacher, a student on stage) publishes the same stream again by
  // itself — no click, and no new screen-share prompt.
  useEvent("lesson.media_reset", (ev) => {
    if (ev.lesson_id !== id) return;
    const again = sent.current;
    close(pub.current);
    pub.current = null;
    void message.info(t("lessons.mediaReset"));
    void join().then(() => {
      setEpoch((e) => e + 1);
      if (again) void goPublish(again.mode, again.stream);
      else setLocal(null);
    });
  });

  const goPublish = async (m: Mode, reuse?: MediaStream) => {
    try {
      const kept = reuse?.getTracks().every((tr) => tr.readyState === "live") ? reuse : null;
      const stream = kept ?? (await capture(m));
      close(pub.current);
      const pc = await publish(id, stream, m);
      pub.current = pc;
      sent.current = { mode: m, stream };
      pc.onconnectionstatechange = () => {
        if (pc.connectionState !== "failed") return;
        // Janus restarted (the join then brings `lesson.media_reset`, which publishes again)
        // or the network dropped: publish again if no reset took this connection's place.
        void join().then(() => {
          setEpoch((e) => e + 1);
          if (pub.current === pc) void goPublish(m, stream);
        });
      };
      setLocal(stream);
    } catch (err) {
      const name = err instanceof DOMException ? err.name : "";
      setProblem(name === "NotAllowedError" || name === "NotFoundError" ? t("lessons.noCamera") : errorText(err, t));
    }
  };

  const live = lesson?.state === "live";
  useEffect(() => {
    if (!live) return;
    const beat = setInterval(() => void api.POST("/api/v1/lessons/{lesson_id}/here", { params: { path: { lesson_id: id } } }), 30_000);
    return () => clearInterval(beat);
  }, [id, live]);

  const mySeat = lesson?.seats.find((s) => s.person_id === me?.id);
  const onStage = mySeat?.state === "on";
  useEffect(() => {
    if (onStage && !pub.current && lesson?.state === "live") void goPublish("camera");
    if (!onStage && pub.current && lesson && !lesson.is_teacher) {
      close(pub.current);
      pub.current = null;
      sent.current = null;
      setLocal(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [onStage, lesson?.state]);

  const act = async (p: Promise<unknown>) => {
    try {
      await call(p as Promise<{ data?: unknown; error?: unknown; response: Response }>);
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };
  const path = { params: { path: { lesson_id: id } } };

  if (!lesson) return problem ? <Alert type="error" showIcon title={problem} /> : null;
  const teacher = lesson.is_teacher;
  const others = lesson.feeds.filter((f) => f.person_id !== me?.id);
  const mediaOff = status.data && !status.data.available;

  return (
    <div className="bw-lesson" data-testid="lesson-page" data-state={lesson.state}>
      <div className="bw-lesson-main">
        <Space wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>{lesson.title}</Typography.Title>
          <Tag color={lesson.state === "live" ? "red" : undefined} data-testid="lesson-state">{t(`lessons.state.${lesson.state}`)}</Tag>
          {lesson.may_see_attendance && <Link to={`/lessons/${id}/attendance`} data-testid="lesson-attendance-link">{t("lessons.attendance")}</Link>}
        </Space>
        {mediaOff && <Alert type="warning" showIcon title={status.data?.message ?? t("lessons.noMedia")} data-testid="lesson-no-media" />}
        {problem && <Alert type="error" showIcon closable onClose={() => setProblem(null)} title={problem} data-testid="lesson-problem" />}
        <div className="bw-lesson-stage">
          {lesson.state === "live" &&
            others.map((f) => (
              <FeedVideo key={`${f.feed}-${epoch}`} lessonId={id} feed={f.feed} tracks={f.tracks} name={f.name} epoch={epoch} big={f.teacher} onLost={() => void join().then(() => setEpoch((e) => e + 1))} />
            ))}
          {local && (
            <div className="bw-lesson-feed bw-lesson-self" data-testid="lesson-self">
              <Video stream={local} />
            </div>
          )}
          {lesson.state === "live" && others.length === 0 && !local && <Typography.Text type="secondary">{t("lessons.waitingVideo")}</Typography.Text>}
          {lesson.state === "scheduled" && <Typography.Text type="secondary">{t("lessons.notStarted")}</Typography.Text>}
          {lesson.state === "ended" && <Typography.Text type="secondary" data-testid="lesson-ended">{t("lessons.ended")}</Typography.Text>}
          {lesson.state === "ended" && <Replay lessonId={id} state={lesson.replay} />}
        </div>
        {teacher && (
          <Space wrap>
            {lesson.state === "scheduled" && (
              <Button type="primary" data-testid="lesson-start" disabled={!!mediaOff} onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/start", path)).then(join)}>
                {t("lessons.start")}
              </Button>
            )}
            {lesson.state === "live" && (
              <>
                <Segmented<Mode>
                  value={mode}
                  onChange={setMode}
                  options={[
                    { value: "camera", label: t("lessons.mode.camera") },
                    { value: "screen", label: t("lessons.mode.screen") },
                    { value: "screen,camera", label: t("lessons.mode.both") },
                  ]}
                />
                <Button type="primary" data-testid="lesson-publish" onClick={() => void goPublish(mode)}>
                  {local ? t("lessons.switch") : t("lessons.publish")}
                </Button>
                <Button danger data-testid="lesson-end" onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/end", path))}>
                  {t("lessons.end")}
                </Button>
                <Button data-testid="lesson-mute-all" onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/mute", { ...path, body: { muted: !lesson.comments_muted } }))}>
                  {lesson.comments_muted ? t("lessons.unmuteAll") : t("lessons.muteAll")}
                </Button>
              </>
            )}
          </Space>
        )}
        {!teacher && lesson.state === "live" && (
          <Space wrap>
            {!mySeat && <Button data-testid="lesson-hand" onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/hand", path))}>{t("lessons.raiseHand")}</Button>}
            {mySeat && (
              <Button data-testid="lesson-hand-down" onClick={() => void act(api.DELETE("/api/v1/lessons/{lesson_id}/hand", path))}>
                {onStage ? t("lessons.leaveStage") : t("lessons.lowerHand")}
              </Button>
            )}
          </Space>
        )}
        {teacher && lesson.seats.length > 0 && (
          <List
            size="small"
            header={t("lessons.hands", { n: lesson.seats.filter((s) => s.state === "on").length, limit: lesson.stage_limit })}
            dataSource={lesson.seats}
            renderItem={(s) => (
              <List.Item
                data-testid="lesson-seat"
                data-name={s.name}
                actions={[
                  s.state === "raised" ? (
                    <a key="a" data-testid="lesson-accept" onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/stage/{person_id}", { params: { path: { lesson_id: id, person_id: s.person_id } } }))}>{t("lessons.accept")}</a>
                  ) : (
                    <a key="o" data-testid="lesson-off" onClick={() => void act(api.DELETE("/api/v1/lessons/{lesson_id}/stage/{person_id}", { params: { path: { lesson_id: id, person_id: s.person_id } } }))}>{t("lessons.offStage")}</a>
                  ),
                ]}
              >
                {s.name} {s.state === "on" ? <Tag color="green">{t("lessons.onStage")}</Tag> : <Tag>{t("lessons.handUp")}</Tag>}
              </List.Item>
            )}
          />
        )}
      </div>
      <div className="bw-lesson-side">
        <div className="bw-lesson-comments" data-testid="lesson-comments">
          {comments.map((c) => (
            <div key={c.id} className="bw-lesson-comment">
              {c.kind === "question" && <Tag color="blue">{t("lessons.question")}</Tag>}
              <b>{c.person.name}</b>: <bdi>{c.body}</bdi>
              {teacher && c.person.id !== me?.id && (
                <a className="bw-lesson-mute-one" onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/mute", { ...path, body: { person_id: c.person.id, muted: !lesson.muted.includes(c.person.id) } }))}>
                  {lesson.muted.includes(c.person.id) ? t("lessons.unmute") : t("lessons.mute")}
                </a>
              )}
            </div>
          ))}
        </div>
        <Space.Compact style={{ width: "100%" }}>
          <Input value={text} maxLength={500} onChange={(e) => setText(e.target.value)} placeholder={lesson.comments_muted && !teacher ? t("lessons.commentsOff") : t("lessons.say")} disabled={lesson.comments_muted && !teacher} data-testid="lesson-comment-input" />
          <Button onClick={() => { const body = text.trim(); if (body) void act(api.POST("/api/v1/lessons/{lesson_id}/comments", { ...path, body: { body, kind: "comment" } })).then(() => setText("")); }}>{t("lessons.send")}</Button>
          <Button onClick={() => { const body = text.trim(); if (body) void act(api.POST("/api/v1/lessons/{lesson_id}/comments", { ...path, body: { body, kind: "question" } })).then(() => setText("")); }}>{t("lessons.ask")}</Button>
          <Button icon={<LikeOutlined />} data-testid="lesson-like" onClick={() => void act(api.POST("/api/v1/lessons/{lesson_id}/likes", path))}>{lesson.likes}</Button>
        </Space.Compact>
      </div>
    </div>
  );
}
