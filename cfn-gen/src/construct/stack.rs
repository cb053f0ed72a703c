//! A stack: one template's worth of constructs.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::construct::{App, Construct, Node};
use crate::context::SynthContext;
use crate::template::{Template, SAM_TRANSFORM};
use crate::validate::{names, Report};

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

struct Inner {
    uid: u64,
    name: String,
    description: RefCell<Option<String>>,
    region: Rc<RefCell<Option<String>>>,
    constructs: RefCell<Vec<Rc<dyn Construct>>>,
    ids: RefCell<Vec<String>>,
    problems: RefCell<Report>,
}

/// One CloudFormation stack: the unit `sam deploy` deploys.
///
/// ```
/// use cfn_gen::{App, Stack};
/// let app = App::new();
/// let stack = Stack::new(&app, "Reports").description("Nightly reports");
/// assert_eq!(stack.name(), "Reports");
/// ```
#[derive(Clone)]
pub struct Stack {
    inner: Rc<Inner>,
}

impl Stack {
    /// A new stack in `app`. The name is the stack's name in `sam deploy`
    /// and the template's file name.
    pub fn new(app: &App, name: &str) -> Stack {
        let mut report = Report::default();
        if let Err(message) = names::STACK.check(name) {
            report.error(name, message, "rename the stack in Stack::new");
        }
        if app.stacks().iter().any(|s| s.name() == name) {
            report.error(
                name,
                format!("stack name `{name}` is used twice in this app"),
                "give each Stack::new a different name",
            );
        }
        let stack = Stack {
            inner: Rc::new(Inner {
                uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
                name: name.to_owned(),
                description: RefCell::new(None),
                region: Rc::new(RefCell::new(None)),
                constructs: RefCell::new(Vec::new()),
                ids: RefCell::new(Vec::new()),
                problems: RefCell::new(report),
            }),
        };
        app.add_stack(stack.clone());
        stack
    }

    /// Set the template's description.
    pub fn description(self, description: impl Into<String>) -> Stack {
        *self.inner.description.borrow_mut() = Some(description.into());
        self
    }

    /// Declare the region the stack deploys to (e.g. `us-west-2`), so synth
    /// can check what must be in that region: a function's ECR image.
    /// Templates stay region-free; this is a check only.
    pub fn region(self, region: impl Into<String>) -> Stack {
        *self.inner.region.borrow_mut() = Some(region.into());
        self
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Claim `id` for a new construct and return its node. A duplicate or
    /// malformed id is recorded and reported at synth.
    pub fn claim(&self, id: &str) -> Node {
        let node = Node {
            stack_uid: self.inner.uid,
            stack: self.inner.name.clone(),
            region: self.inner.region.clone(),
            id: id.to_owned(),
        };
        let mut problems = self.inner.problems.borrow_mut();
        if id.is_empty() || id.contains('/') {
            problems.error(
                &node.path(),
                format!("construct id `{id}` is empty or contains `/`"),
                "use a non-empty id without `/`, e.g. \"NightlyReport\"",
            );
        }
        let mut ids = self.inner.ids.borrow_mut();
        if ids.iter().any(|existing| existing == id) {
            problems.error(
                &node.path(),
                format!(
                    "construct id `{id}` is used twice in stack {}: {} is already defined",
                    self.inner.name,
                    node.path()
                ),
                "give each construct in a stack a different id",
            );
        } else {
            ids.push(id.to_owned());
        }
        node
    }

    /// Add a construct whose node came from [`Stack::claim`].
    pub fn add(&self, construct: Rc<dyn Construct>) {
        self.inner.constructs.borrow_mut().push(construct);
    }

    /// The constructs in the order they were created.
    pub fn constructs(&self) -> Vec<Rc<dyn Construct>> {
        self.inner.constructs.borrow().clone()
    }

    /// Check the stack and all its constructs.
    pub fn validate(&self, report: &mut Report) {
        report.extend(self.inner.problems.borrow().problems_cloned());
        for c in self.inner.constructs.borrow().iter() {
            c.validate(report);
        }
    }

    /// The template, without validation, for a template file in `out/`.
    pub fn template(&self) -> Template {
        self.template_with(&SynthContext::default())
    }

    /// The template, without validation.
    pub fn template_with(&self, ctx: &SynthContext) -> Template {
        let mut template = Template::default();
        template.description = self.inner.description.borrow().clone();
        template.transform = vec![SAM_TRANSFORM.to_owned()];
        for c in self.inner.constructs.borrow().iter() {
            c.synthesize(ctx, &mut template);
        }
        template
    }
}
