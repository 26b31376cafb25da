//! Word lists the demo data is combined from.

/// Surnames, most common first (they repeat in the picks, as in life).
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "楼", "骆", "金", "傅", "龚", "方", "虞", "蒋",
];

pub const GIVEN_NAMES: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "海燕", "建华", "晓东", "丽华", "志强",
    "春梅", "国平", "小燕", "建军", "卫东", "美玲", "雪梅", "永强", "晓红", "俊杰", "文斌", "佳怡",
];

/// The fanciful part of a company name.
pub const BRAND_WORDS: &[&str] = &[
    "星辰", "金鼎", "华美", "鑫源", "宏达", "恒利", "佳美", "创艺", "优品", "锦绣", "博远", "顺发",
    "盛鑫", "永福", "新锐", "美琪", "欣悦", "嘉禾", "天成", "和顺", "丰泰", "凯旋", "荣昌", "雅丽",
    "晶彩", "万豪", "瑞丰", "东阳", "稠州", "乐淘", "童趣", "聚宝", "龙腾", "亿家", "汇通", "明珠",
    "诚信", "金狮", "彩虹", "福星",
];

/// An industry: how its companies are called and what they sell.
pub struct Industry {
    pub suffixes: &'static [&'static str],
    pub categories: &'static [&'static str],
}

pub const INDUSTRIES: &[Industry] = &[
    Industry {
        suffixes: &["饰品厂", "饰品有限公司", "饰品商行"],
        categories: &["饰品", "发饰", "耳环", "项链", "手链", "胸针"],
    },
    Industry {
        suffixes: &["玩具厂", "玩具有限公司", "玩具商行"],
        categories: &["玩具", "毛绒玩具", "益智玩具", "电动玩具", "积木"],
    },
    Industry {
        suffixes: &["袜业有限公司", "袜厂", "针织袜业"],
        categories: &["袜子", "丝袜", "运动袜", "童袜"],
    },
    Industry {
        suffixes: &["工艺品厂", "工艺品有限公司", "工艺礼品商行"],
        categories: &["工艺品", "摆件", "相框", "节日用品", "礼品"],
    },
    Industry {
        suffixes: &["日用品商行", "日用百货有限公司"],
        categories: &["日用品", "厨房用品", "收纳", "清洁用品"],
    },
    Industry {
        suffixes: &["文具厂", "文具有限公司"],
        categories: &["文具", "笔", "本册", "办公用品"],
    },
    Industry {
        suffixes: &["箱包有限公司", "箱包商行"],
        categories: &["箱包", "背包", "钱包", "手提袋"],
    },
];

/// Mainland mobile number prefixes in use.
pub const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199",
];

pub const SOURCES: &[(&str, u32)] = &[
    ("walk_in", 40),
    ("referral", 20),
    ("wechat", 15),
    ("phone", 10),
    ("exhibition", 10),
    ("online", 5),
];

pub const LOST_REASONS: &[&str] = &[
    "已入驻其他平台",
    "觉得年费太高",
    "档口转让",
    "暂不考虑线上渠道",
    "联系不上",
];

pub const NOTES: &[&str] = &[
    "老板下午在档口，上午是店员",
    "想先看看同行的效果",
    "对金牌会员有兴趣，要报价",
    "档口在转角，客流大",
    "主要做外贸，内销刚起步",
    "老板娘负责线上，加了微信",
];
