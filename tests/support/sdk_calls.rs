//! Every AWS call the app makes in a test, recorded by an SDK interceptor on the store's
//! clients, as the IAM permission it needs in AWS and the function (Lambda) that made it. The
//! local emulator enforces no IAM, so this is how the tests check each function's policy in the
//! SAM template covers the calls its code can reach.
//!
//! The function is the route's binary for a request (set by `TestApp`'s dispatch) or
//! `ingest-photo` for the queue worker; calls made outside both (test set-up) are not recorded.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_s3::operation::abort_multipart_upload::AbortMultipartUploadInput;
use aws_sdk_s3::operation::complete_multipart_upload::CompleteMultipartUploadInput;
use aws_sdk_s3::operation::create_multipart_upload::CreateMultipartUploadInput;
use aws_sdk_s3::operation::delete_objects::DeleteObjectsInput;
use aws_sdk_s3::operation::get_object::GetObjectInput;
use aws_sdk_s3::operation::head_object::HeadObjectInput;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Input;
use aws_sdk_s3::operation::put_object::PutObjectInput;
use aws_sdk_s3::operation::upload_part::UploadPartInput;
use aws_sdk_sesv2::operation::send_email::SendEmailInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef, Input,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

tokio::task_local! {
    /// The function whose code is running: calls made inside are recorded against it.
    pub static FUNCTION: &'static str;
}

/// One IAM permission a function needs: an action on a resource, named the way the template's
/// policies are read by [`crate::iam_policy`]: `table`, `table/index/<name>`, `bucket`,
/// `bucket/<key>`, `queue:<logical id>`, `identity/<sender>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Need {
    pub function: &'static str,
    pub action: String,
    pub resource: String,
    /// For `s3:ListBucket`: the prefix listed; `None` when S3 checks ListBucket only to tell a
    /// missing key (404) from a forbidden one (403), which carries no prefix.
    pub prefix: Option<String>,
    /// The call that needs it, for the failure message.
    pub call: String,
}

/// The needs recorded so far, shared by the interceptor and the test.
#[derive(Debug, Default, Clone)]
pub struct SdkCalls(Arc<Mutex<BTreeSet<Need>>>);

impl SdkCalls {
    pub fn needs(&self) -> BTreeSet<Need> {
        self.0.lock().expect("recorder").clone()
    }

    /// The functions that made a call so far.
    pub fn functions(&self) -> BTreeSet<&'static str> {
        self.0
            .lock()
            .expect("recorder")
            .iter()
            .map(|n| n.function)
            .collect()
    }

    fn add(&self, need: Need) {
        self.0.lock().expect("recorder").insert(need);
    }
}

/// The functions a `TestApp` is running at the moment. Tasks the code spawns (the download
/// worker renders and uploads parts in its own tasks) do not inherit [`FUNCTION`]; their calls
/// are put down to the function running, when only one is (when several run at once, such a call
/// can't be told apart and is not recorded).
#[derive(Debug, Default, Clone)]
pub struct Running(Arc<Mutex<Vec<&'static str>>>);

impl Running {
    /// Marks `function` as running until the guard is dropped.
    pub fn enter(&self, function: &'static str) -> RunningGuard {
        self.0.lock().expect("running").push(function);
        RunningGuard {
            running: self.clone(),
            function,
        }
    }

    fn only(&self) -> Option<&'static str> {
        let running = self.0.lock().expect("running");
        let first = *running.first()?;
        running.iter().all(|f| *f == first).then_some(first)
    }
}

pub struct RunningGuard {
    running: Running,
    function: &'static str,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        let mut running = self.running.0.lock().expect("running");
        if let Some(at) = running.iter().position(|f| *f == self.function) {
            running.remove(at);
        }
    }
}

/// The interceptor. `queues` maps queue URLs to the template's logical ids.
#[derive(Debug)]
pub struct Recorder {
    pub calls: SdkCalls,
    pub running: Running,
    pub sender: String,
    pub queues: Vec<(String, &'static str)>,
}

/// A GetObject/HeadObject under way, so a 404 answer can be put down to it.
#[derive(Debug, Clone)]
struct ObjectRead {
    function: &'static str,
    call: String,
}

impl Storable for ObjectRead {
    type Storer = StoreReplace<Self>;
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "SdkCallRecorder"
    }

    // Not read_before_execution: a client's interceptors see that before the operation's
    // metadata is in the bag.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(function) = FUNCTION
            .try_with(|f| *f)
            .ok()
            .or_else(|| self.running.only())
        else {
            return Ok(());
        };
        let Some(metadata) = cfg.load::<Metadata>().cloned() else {
            return Ok(());
        };
        let call = format!("{}:{}", metadata.service(), metadata.name());
        for (action, resource, prefix) in self.permissions(&metadata, context.input()) {
            self.calls.add(Need {
                function,
                action,
                resource,
                prefix,
                call: call.clone(),
            });
        }
        if matches!(metadata.name(), "GetObject" | "HeadObject") {
            cfg.interceptor_state()
                .store_put(ObjectRead { function, call });
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let missing = context
            .response()
            .is_some_and(|r| r.status().as_u16() == 404);
        if let (true, Some(read)) = (missing, cfg.load::<ObjectRead>()) {
            // S3 answers 404 for a missing key only to a caller allowed s3:ListBucket.
            self.calls.add(Need {
                function: read.function,
                action: "s3:ListBucket".into(),
                resource: "bucket".into(),
                prefix: None,
                call: format!("{} of a missing key", read.call),
            });
        }
        Ok(())
    }
}

type Permission = (String, String, Option<String>);

impl Recorder {
    /// The permissions one operation needs, from its input.
    fn permissions(&self, metadata: &Metadata, input: &Input) -> Vec<Permission> {
        let plain = |action: &str, resource: String| vec![(action.to_owned(), resource, None)];
        let object = |key: Option<&str>| format!("bucket/{}", key.unwrap_or_default());
        match (metadata.service(), metadata.name()) {
            ("DynamoDB", "Query") => {
                let index = input
                    .downcast_ref::<QueryInput>()
                    .and_then(|q| q.index_name().map(str::to_owned));
                plain(
                    "dynamodb:Query",
                    index.map_or("table".into(), |i| format!("table/index/{i}")),
                )
            }
            // No IAM action of its own: each item's action is checked.
            ("DynamoDB", "TransactWriteItems") => input
                .downcast_ref::<TransactWriteItemsInput>()
                .map(|t| t.transact_items())
                .unwrap_or_default()
                .iter()
                .filter_map(|item| {
                    let action = if item.put().is_some() {
                        "dynamodb:PutItem"
                    } else if item.update().is_some() {
                        "dynamodb:UpdateItem"
                    } else if item.delete().is_some() {
                        "dynamodb:DeleteItem"
                    } else if item.condition_check().is_some() {
                        "dynamodb:ConditionCheckItem"
                    } else {
                        return None;
                    };
                    Some((action.to_owned(), "table".to_owned(), None))
                })
                .collect(),
            ("DynamoDB", name) => plain(&format!("dynamodb:{name}"), "table".into()),
            ("S3", "GetObject") => plain(
                "s3:GetObject",
                object(input.downcast_ref::<GetObjectInput>().and_then(|i| i.key())),
            ),
            ("S3", "HeadObject") => plain(
                "s3:GetObject",
                object(
                    input
                        .downcast_ref::<HeadObjectInput>()
                        .and_then(|i| i.key()),
                ),
            ),
            ("S3", "PutObject") => plain(
                "s3:PutObject",
                object(input.downcast_ref::<PutObjectInput>().and_then(|i| i.key())),
            ),
            // Multipart uploads are allowed by s3:PutObject on the key.
            ("S3", "CreateMultipartUpload") => plain(
                "s3:PutObject",
                object(
                    input
                        .downcast_ref::<CreateMultipartUploadInput>()
                        .and_then(|i| i.key()),
                ),
            ),
            ("S3", "UploadPart") => plain(
                "s3:PutObject",
                object(
                    input
                        .downcast_ref::<UploadPartInput>()
                        .and_then(|i| i.key()),
                ),
            ),
            ("S3", "CompleteMultipartUpload") => plain(
                "s3:PutObject",
                object(
                    input
                        .downcast_ref::<CompleteMultipartUploadInput>()
                        .and_then(|i| i.key()),
                ),
            ),
            ("S3", "AbortMultipartUpload") => plain(
                "s3:AbortMultipartUpload",
                object(
                    input
                        .downcast_ref::<AbortMultipartUploadInput>()
                        .and_then(|i| i.key()),
                ),
            ),
            ("S3", "DeleteObjects") => input
                .downcast_ref::<DeleteObjectsInput>()
                .and_then(|i| i.delete())
                .map(|d| d.objects())
                .unwrap_or_default()
                .iter()
                .map(|o| ("s3:DeleteObject".to_owned(), object(Some(o.key())), None))
                .collect(),
            ("S3", "ListObjectsV2") => {
                let prefix = input
                    .downcast_ref::<ListObjectsV2Input>()
                    .and_then(|i| i.prefix().map(str::to_owned));
                vec![("s3:ListBucket".into(), "bucket".into(), prefix)]
            }
            ("S3", name) => plain(&format!("s3:{name}"), "bucket".into()),
            ("SQS", name) => {
                let action = match name {
                    "SendMessageBatch" => "SendMessage",
                    "DeleteMessageBatch" => "DeleteMessage",
                    other => other,
                };
                let url = queue_url(input).unwrap_or_default();
                let queue = self
                    .queues
                    .iter()
                    .find(|(queue_url, _)| *queue_url == url)
                    .map_or(format!("queue:{url}"), |(_, id)| format!("queue:{id}"));
                plain(&format!("sqs:{action}"), queue)
            }
            ("SESv2", "SendEmail") => {
                let from = input
                    .downcast_ref::<SendEmailInput>()
                    .and_then(|i| i.from_email_address())
                    .unwrap_or_default();
                let identity = if from == self.sender { "SENDER" } else { from };
                plain("ses:SendEmail", format!("identity/{identity}"))
            }
            (service, name) => plain(
                &format!("{}:{name}", service.to_ascii_lowercase()),
                "*".into(),
            ),
        }
    }
}

/// The queue an SQS operation's input names.
fn queue_url(input: &Input) -> Option<String> {
    use aws_sdk_sqs::operation::{
        delete_message::DeleteMessageInput, delete_message_batch::DeleteMessageBatchInput,
        get_queue_attributes::GetQueueAttributesInput, receive_message::ReceiveMessageInput,
        send_message::SendMessageInput, send_message_batch::SendMessageBatchInput,
    };
    let url = input
        .downcast_ref::<SendMessageBatchInput>()
        .and_then(|i| i.queue_url())
        .or_else(|| input.downcast_ref::<SendMessageInput>()?.queue_url())
        .or_else(|| input.downcast_ref::<ReceiveMessageInput>()?.queue_url())
        .or_else(|| input.downcast_ref::<DeleteMessageInput>()?.queue_url())
        .or_else(|| input.downcast_ref::<DeleteMessageBatchInput>()?.queue_url())
        .or_else(|| input.downcast_ref::<GetQueueAttributesInput>()?.queue_url())?;
    Some(url.to_owned())
}
