//! CUDA against the cluster's driver.

use super::packages::pip_install;
use super::*;
use clusterls_core::Rule;

pub(crate) const BASE_WITHOUT_CUDA: Rule = Rule {
    explanation: "The project looks like it uses GPUs (CUDA packages, GPU frameworks), but the base image has no CUDA runtime, so the program falls back to the CPU or fails to load. Start from a CUDA image (`nvidia/cuda:*-runtime`, `pytorch/pytorch:*-cuda*`).",
    ..Rule::new(
        "gpu/base-without-cuda",
        Severity::Info,
        "A GPU project on a base image without CUDA.",
    )
};

pub(crate) const CUDA_TOO_NEW: Rule = Rule {
    explanation: "A CUDA runtime needs a minimum NVIDIA driver; the cluster's driver is older than this image's CUDA needs, so `cuda init` fails on the nodes. Use a base image with an older CUDA (the message names the newest the driver supports).",
    ..Rule::new(
        "gpu/cuda-too-new",
        Severity::Error,
        "The cluster's NVIDIA driver is too old for this CUDA.",
    )
};

const GPU_PACKAGES: &[&str] = &[
    "torch",
    "tensorflow",
    "jax",
    "cupy",
    "pytorch",
    "tensorflow-gpu",
    "nvidia-",
    "triton",
    "vllm",
    "flash-attn",
    "xformers",
    "deepspeed",
    "apex",
    "cudatoolkit",
    "pytorch-cuda",
];

pub(super) fn gpu(ctx: &mut Ctx<'_>) {
    let df = ctx.df;
    let Some(&root) = ctx.final_chain.last() else { return };
    let st: &Stage = &df.stages[root];
    let image = expand(&st.image, &ctx.args).unwrap_or_else(|| st.image.clone());

    // Where the CUDA version comes from: base image, then pip wheels / ENV.
    let mut cuda: Option<((u32, u32), Range<usize>, String)> = cuda::image_cuda(&image)
        .map(|v| (v, st.image_span.clone(), format!("base image `{image}`")));
    let mut gpu_framework = false;
    for (idx, inst) in df.instructions.iter().enumerate() {
        if !ctx.in_final(inst) {
            continue;
        }
        for c in &ctx.cmds[idx] {
            let w = c.unwrapped();
            let installs = pip_install(w).is_some()
                || (w
                    .first()
                    .is_some_and(|f| matches!(f.value.as_str(), "conda" | "mamba" | "micromamba")));
            if !installs {
                continue;
            }
            for x in w {
                let v = x.value.to_ascii_lowercase();
                let pkg = v.split(['=', '<', '>', '~', '[', '+']).next().unwrap_or("");
                if GPU_PACKAGES
                    .iter()
                    .any(|g| if g.ends_with('-') { pkg.starts_with(g) } else { pkg == *g })
                {
                    gpu_framework = true;
                }
                if cuda.is_none()
                    && (v.contains("download.pytorch.org")
                        || v.contains("+cu")
                        || v.starts_with("pytorch-cuda=")
                        || v.starts_with("cudatoolkit="))
                {
                    let ver = cuda::cu_code(&v).or_else(|| {
                        v.split_once('=').and_then(|(_, r)| {
                            let mut it = r.trim_start_matches('=').split('.');
                            Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
                        })
                    });
                    if let Some(ver) = ver {
                        cuda = Some((ver, x.span.clone(), format!("`{}`", x.value)));
                    }
                }
            }
        }
        if inst.kind == Kind::Env && cuda.is_none() {
            for w in &inst.args.words {
                if let Some(v) = w.value.strip_prefix("CUDA_VERSION=") {
                    let mut it = v.split('.');
                    if let (Some(Ok(a)), Some(Ok(b))) =
                        (it.next().map(str::parse::<u32>), it.next().map(str::parse::<u32>))
                    {
                        cuda = Some(((a, b), w.span.clone(), format!("`{}`", w.value)));
                    }
                }
            }
        }
    }

    let facts_gpu = ctx
        .facts
        .is_some_and(|f| f.gpu_driver.is_some() || f.partitions.iter().any(|p| !p.gpus.is_empty()));
    let base_has_cuda = cuda::image_cuda(&image).is_some()
        || image.contains("nvidia")
        || image.contains("cuda")
        || image.contains("-gpu")
        || image.contains("rocm");
    if !base_has_cuda
        && (facts_gpu || gpu_framework)
        && !image.contains('$')
        && !image.is_empty()
        && !image.eq_ignore_ascii_case("scratch")
    {
        ctx.push(
            &BASE_WITHOUT_CUDA,
            st.image_span.clone(),
            format!("`{image}` has no CUDA. PyTorch/JAX pip wheels bring their own CUDA runtime, but anything built against CUDA (nvcc, custom kernels, system cuDNN) needs a CUDA base such as `nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04`. Run with `apptainer exec --nv` either way."),
        );
    }

    let Some(driver_s) = ctx.facts.and_then(|f| f.gpu_driver.as_deref()) else { return };
    let Some(driver) = cuda::parse_driver(driver_s) else { return };
    let Some(((major, minor), span, source)) = cuda else { return };
    let Some(need) = cuda::min_driver(major, minor) else { return };
    if driver >= need {
        return;
    }
    let need_s = format!("{}.{}.{:02}", need[0], need[1], need[2]);
    let floor = cuda::compat_floor(major);
    let newest_ok = newest_cuda(driver);
    let suggest = newest_ok.map_or(String::new(), |(a, b)| {
        format!(" The newest CUDA this driver fully supports is {a}.{b}.")
    });
    if floor.is_some_and(|f| driver >= f) {
        let f = ctx.push(
            &CUDA_TOO_NEW,
            span,
            format!("{source} uses CUDA {major}.{minor}, which needs NVIDIA driver {need_s} or newer; the cluster has {driver_s}. It runs only through CUDA minor-version compatibility (no PTX JIT, so kernels not built for the GPU fail).{suggest}"),
        );
        f.severity = Severity::Warning;
    } else {
        ctx.push(
            &CUDA_TOO_NEW,
            span,
            format!("{source} uses CUDA {major}.{minor}, which needs NVIDIA driver {need_s} or newer; the cluster's driver is {driver_s}, so CUDA will fail to initialise (\"driver version is insufficient\").{suggest}"),
        );
    }
}

fn newest_cuda(driver: [u32; 3]) -> Option<(u32, u32)> {
    let mut best = None;
    for major in [9u32, 10, 11, 12, 13] {
        for minor in 0..10 {
            if let Some(d) = cuda::min_driver(major, minor)
                && d <= driver
                && exact_entry(major, minor)
            {
                best = Some((major, minor));
            }
        }
    }
    best
}

fn exact_entry(major: u32, minor: u32) -> bool {
    // min_driver falls back to the newest minor of a major; only count real entries.
    minor == 0 || cuda::min_driver(major, minor) != cuda::min_driver(major, minor - 1)
}
